"""The dashboard's pages: one module per page, each a ``render()`` of widgets and a few service calls."""
