"""Browser benchmark: the real dashboard against a naive Streamlit page over the same rows, in Chromium.

    python bench/browser.py [--sessions 10000] [--links 1000000] [--managers 1,4,8] [--repeat 3]
                          [--store example|generated|both] [--keep]                    (or: make bench-pages)

Generates the stores deterministically (the example programme around 16 Mar 2027, and ``bench/run.py``'s
programme of --sessions and --links), imports them with the real CLI, serves ``streamlit run dashboard/app.py``
and ``bench/naive_page.py`` on each, and drives both with Debian's Chromium through Playwright. 1, 4 and 8
managers (browser contexts of one Chromium) walk the README's five steps together: each step waits until every
manager is ready for it, then all act at once. A step is timed in the page's clock from the manager's input until
the rerun it caused has ended as the browser sees it (Streamlit's message ending the run has arrived and the app
element's ``data-test-script-state`` is ``notRunning``), a first load from the navigation until the app is idle
with its main content on the page, the download from the click until the file has arrived. Both apps get the
same steps on the same rows, one after the other (never at once). With --keep, the work folder keeps the stores,
the servers' logs and a screenshot of the page at each error.

Every "as of" a manager picks is a moment nobody picked before in the run, so each as-of change makes both apps
compute the board afresh (both cache it per moment: the dashboard by data version, the naive page with
``st.cache_data``). Prints, per interaction and number of managers, the median (p50) and the 95th percentile
(nearest rank) of both apps, the ratio scanready/naive (of p50 for one manager, of p95 for more), the errors seen
and each server's peak RSS. Times on a shared 2-core machine, where Chromium takes its share of the cores, are
noisy: only the ratios of one run mean something.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from serving import Server, Store, example_store, generated_store, peak_mb, reset_peak, serve

try:
    from playwright.async_api import Browser, Error as PlaywrightError, Page, async_playwright
except ImportError:  # the dev extra is not installed: main() says so
    async_playwright = None  # type: ignore[assignment]

# ---- What the benchmark knows of the pages: labels as the manager reads them, Streamlit's test attributes. ----
APP = "[data-testid='stApp']"
IDLE = f"{APP}[data-test-connection-state='CONNECTED'][data-test-script-state='notRunning']"
EXCEPTION = "[data-testid='stException']"
METRIC = "[data-testid='stMetricValue']"
GRID = "[data-testid='stDataFrame']"
CHART_DRAWN = "[data-testid='stVegaLiteChart'] .marks"  # Vega's svg or canvas, once it has drawn
TABLE = "[data-testid='stTable']"
CHECKLIST = "[data-testid='stHeading'] h3#checklist"  # the session page's "Checklist" heading
# The day of each app's as-of input: a click opens its calendar. The dashboard's is a date-and-time input in the
# zone its URL names (UTC here), whose picked day applies when the calendar closes (Escape); the naive page's is a
# date input that applies on the click.
AS_OF_DAY = {"scanready": "day, As of (UTC)", "naive": "day, As of (date, UTC)"}
STATUS = "Status"
BLOCKED = "blocked"  # the option's name contains it in both apps (a word on both)
CAPACITY = "Scanner capacity (sheets per day; 0 = none)"


def calendar_day(moment: datetime) -> str:
    """The accessible name of ``moment``'s day in the date input's calendar."""
    return f"{moment:%A, %B} {moment.day}, {moment:%Y}"


@dataclass(frozen=True, slots=True)
class App:
    """What differs between the dashboard and the naive page along the same journey."""

    name: str
    script: str
    paths: dict[str, str]  # overview, charts, session -> URL path
    content: dict[str, tuple[tuple[str, int], ...]]  # page -> (selector, at least so many) once rendered
    download: str
    download_reruns: bool  # the naive page's button reruns it (Streamlit's default); the dashboard's does not
    sessions: str  # the selectbox a session is chosen in
    opened: tuple[tuple[str, int], ...]  # on the page once the session chosen is shown
    query: tuple[tuple[str, str], ...] = ()  # added to every URL (the dashboard's as-of zone)
    close_calendar: bool = False  # the picked day applies when the calendar closes


_NAIVE_CONTENT = ((METRIC, 4), (GRID, 1), (CHART_DRAWN, 1), (TABLE, 1))
APPS = (
    App("scanready", "dashboard/app.py", {"overview": "/", "charts": "/charts", "session": "/session"},
        {"overview": ((METRIC, 4), (GRID, 1)), "charts": ((CHART_DRAWN, 2),), "session": ((CHECKLIST, 1),)},
        "Download the readiness review (HTML)", download_reruns=False, sessions="Open a session",
        opened=((CHECKLIST, 1),), query=(("zone", "UTC"),),
        close_calendar=True),
    App("naive", "bench/naive_page.py", dict.fromkeys(("overview", "charts", "session"), "/"),
        dict.fromkeys(("overview", "charts", "session"), _NAIVE_CONTENT), "Download the readiness review (CSV)",
        download_reruns=True, sessions="Session", opened=()),
)
INTERACTIONS = ("load overview", "load charts", "load session", "as-of change", "status filter", "open a session",
                "capacity change", "review download")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
STEP_TIMEOUT = 180_000  # milliseconds for one step: 8 managers' boards of 10,000 sessions at once on 2 cores
ANCHOR = datetime(2027, 3, 16, tzinfo=UTC)  # the example's exam day; the generated programme starts 1 Mar 2027
FIRST_DAY = datetime(2027, 3, 2, 7, tzinfo=UTC)  # every journey opens in March 2027, on a day before those picked

# Run in every page before Streamlit's code. Counts the script runs that ended, as the browser receives Streamlit's
# message saying so (a ForwardMsg whose top-level field 6, script_finished, is set; a run cut short by a rerun,
# status 2, is not an end). The app element's data-test-script-state is not enough: when the browser is busy, React
# folds "running" and "notRunning" into one render and the attribute never changes (seen with 8 managers). Also
# notes the page's clock at the manager's first input after ``_ARM`` (captured before the page sees it).
_WATCH = """(() => {
    const ends = bytes => {
        let i = 0;
        const varint = () => {
            let value = 0, shift = 0, byte;
            do { byte = bytes[i++]; value += (byte & 127) * 2 ** shift; shift += 7; } while (byte & 128);
            return value;
        };
        while (i < bytes.length) {
            const tag = varint(), wire = tag % 8;
            if (tag >> 3 === 6) return varint() !== 2;
            const skip = wire === 0 ? (varint(), 0) : wire === 2 ? varint() : wire === 1 ? 8 : wire === 5 ? 4 : -1;
            if (skip < 0) return false;
            i += skip;  // after varint() has moved i past the length (``i += varint()`` would add to the old i)
        }
        return false;
    };
    window.__benchEnded = 0;
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', event => {
                if (event.data instanceof ArrayBuffer && ends(new Uint8Array(event.data))) window.__benchEnded += 1;
            });
        }
    };
    const acted = () => { window.__benchActedAt ??= performance.now(); };
    window.addEventListener('pointerdown', acted, true);
    window.addEventListener('keydown', acted, true);
})()"""
# Before an action: forget the last input; the runs ended so far.
_ARM = "() => { window.__benchActedAt = null; return window.__benchEnded; }"
# What the page was doing when a step timed out.
_SEEN = """() => `state ${document.querySelector("[data-testid='stApp']")?.getAttribute('data-test-script-state')}, `
    + `${window.__benchEnded} runs ended, input at ${window.__benchActedAt} ms`"""
# Each returns the page's clock (ms since its navigation began) at the first frame where it holds.
_SHOWN = "wants.every(([s, n]) => document.querySelectorAll(s).length >= n)"
_LOADED = (f"([idle, wants]) => window.__benchEnded > 0 && document.querySelector(idle) !== null && {_SHOWN} "
           "&& performance.now()")
_RAN = (f"([before, idle, wants]) => window.__benchEnded > before && document.querySelector(idle) !== null "
        f"&& {_SHOWN} && performance.now()")


@dataclass(frozen=True, slots=True)
class Plan:
    """One manager's journey: the moment pages open at, the day picked, a capacity, the session page loaded."""

    manager: int
    start: datetime
    picked: datetime
    capacity: int
    session: str


Round = tuple[str, str, int]  # store, app, managers


@dataclass(slots=True)
class Results:
    """Seconds per step and errors per step of each round; each server's peak RSS and first load."""

    samples: dict[Round, dict[str, list[float]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    errors: dict[Round, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    peak_mb: dict[Round, float] = field(default_factory=dict)
    first_load: dict[tuple[str, str], float] = field(default_factory=dict)


# ---- One manager's journey, in a browser context of their own ----

def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%MZ")  # as the dashboard writes ?as_of=


@dataclass(slots=True)
class Walk:
    """One manager on one app: their page, their plan, the runs seen before the step's action."""

    page: Page
    app: App
    base: str
    plan: Plan
    runs: int = 0  # runs ended before the step's input
    seconds: float = 0.0  # what the step's action measured
    broken: bool = False  # a step failed: the rest of this journey is skipped (its barriers are still met)

    def url(self, name: str) -> str:
        picked = _stamp(self.plan.picked)
        query = {"overview": {"as_of": _stamp(self.plan.start)}, "charts": {"as_of": picked},
                 "session": {"session": self.plan.session, "as_of": picked}}[name]
        return f"{self.base}{self.app.paths[name]}?{urlencode({**query, **dict(self.app.query)})}"

    async def arm(self) -> None:
        """Before an action: note the runs ended so far and forget the last input (``_ARM``)."""
        self.runs = int(await self.page.evaluate(_ARM))

    async def load(self, name: str) -> float:
        """Seconds from the navigation's start until the page is idle with its main content, in the page's clock."""
        await self.page.goto(self.url(name))
        done = await self.page.wait_for_function(_LOADED, arg=[IDLE, self.app.content[name]])
        return float(await done.json_value()) / 1000

    async def finished(self, *wants: tuple[str, int]) -> float:
        """Seconds from the manager's input until a run ended after it and the page, idle, shows ``wants``."""
        try:
            done = await self.page.wait_for_function(_RAN, arg=[self.runs, IDLE, list(wants)])
        except PlaywrightError as error:  # say what the page was doing: no run seen, or one that never ended
            seen = await self.page.evaluate(_SEEN)
            raise RuntimeError(f"{error.message.splitlines()[0]} ({seen}, {self.runs} before the input)") from error
        acted = await self.page.evaluate("window.__benchActedAt")
        if acted is None:
            raise RuntimeError("the page saw no input for this step")
        return (float(await done.json_value()) - float(acted)) / 1000


Action = Callable[[Walk], Awaitable[None]]


async def _nothing(walk: Walk) -> None:
    return None


async def _open_calendar(walk: Walk) -> None:
    await walk.page.get_by_role("spinbutton", name=AS_OF_DAY[walk.app.name]).click()


async def _pick_day(walk: Walk) -> None:
    await walk.page.get_by_role("button", name=calendar_day(walk.plan.picked)).click()
    if walk.app.close_calendar:
        await walk.page.keyboard.press("Escape")
    walk.seconds = await walk.finished()


async def _open_status(walk: Walk) -> None:
    await walk.page.get_by_role("combobox", name=STATUS).click()


async def _choose_blocked(walk: Walk) -> None:
    await walk.page.get_by_role("option", name=BLOCKED).click()
    walk.seconds = await walk.finished()


async def _close_list(walk: Walk) -> None:
    await walk.page.keyboard.press("Escape")


async def _open_sessions(walk: Walk) -> None:
    box = walk.page.get_by_role("combobox", name=walk.app.sessions)
    await box.click()  # a click focuses a selectbox; the arrow key opens its list, as a keyboard user does
    await box.press("ArrowDown")


async def _choose_session(walk: Walk) -> None:
    """The second session listed (blocked first on both apps), until its checklist is on the page."""
    await walk.page.get_by_role("option").nth(1).click()
    walk.seconds = await walk.finished(*walk.app.opened)


async def _type_capacity(walk: Walk) -> None:
    await walk.page.get_by_label(CAPACITY).fill(str(walk.plan.capacity))  # kept until Enter or a blur


async def _enter_capacity(walk: Walk) -> None:
    await walk.page.get_by_label(CAPACITY).press("Enter")
    walk.seconds = await walk.finished()


async def _download(walk: Walk) -> None:
    """Seconds from the click until the whole file has arrived (Playwright's clock: the page cannot see it)."""
    start = time.perf_counter()
    async with walk.page.expect_download() as started:
        await walk.page.get_by_role("button", name=walk.app.download).click()
    await (await started.value).path()
    walk.seconds = time.perf_counter() - start


async def _settle(walk: Walk) -> None:
    """Let the rerun a download caused end before the next step, so it does not run into the next load."""
    if walk.app.download_reruns:
        await walk.finished()


def _loader(page: str) -> Action:
    async def load(walk: Walk) -> None:
        walk.seconds = await walk.load(page)
    return load


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    prepare: Action  # untimed, before every manager is ready
    act: Action  # timed: from the action to the end of what it caused, in ``walk.seconds``
    after: Action = _nothing  # untimed


def steps(app: App) -> list[Step]:
    """The README's five steps as each app offers them."""
    return [Step("load overview", _nothing, _loader("overview")),
            Step("as-of change", _open_calendar, _pick_day),
            Step("status filter", _open_status, _choose_blocked, _close_list),
            Step("open a session", _open_sessions, _choose_session),
            Step("load charts", _nothing, _loader("charts")),
            Step("capacity change", _type_capacity, _enter_capacity),
            Step("review download", _nothing, _download, _settle),
            Step("load session", _nothing, _loader("session"))]


@dataclass(frozen=True, slots=True)
class Party:
    """The managers walking one app together: its server, the barrier they meet at, what they measure."""

    app: App
    base: str
    barrier: asyncio.Barrier
    samples: dict[str, list[float]]
    errors: dict[str, int]
    evidence: Path  # a screenshot per error goes here
    label: str  # store, managers and repeat, to name the screenshots


async def _attempt(walk: Walk, action: Action, step: str, party: Party) -> bool:
    """Run ``action``; a failure (a timeout, a traceback on the page) is counted and ends the journey."""
    if walk.broken:
        return False
    try:
        await action(walk)
        if await walk.page.locator(EXCEPTION).count():
            raise RuntimeError(await walk.page.locator(EXCEPTION).first.inner_text())
    except Exception as error:  # any failure (Playwright, the page) is an error of the app, reported
        party.errors[step] += 1
        walk.broken = True
        shot = party.evidence / f"{party.label}-{walk.app.name}-manager{walk.plan.manager}-{step.replace(' ', '-')}.png"
        with suppress(PlaywrightError):
            await walk.page.screenshot(path=shot, timeout=10_000)
        sys.stderr.write(f"  {walk.app.name}, {step}: {str(error).strip().splitlines()[0]} ({shot.name})\n")
        return False
    return True


async def journey(browser: Browser, party: Party, plan: Plan) -> None:
    """One manager's walk through every step, meeting the others at the party's barrier before each action."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(STEP_TIMEOUT)
    await context.add_init_script(_WATCH)
    try:
        walk = Walk(await context.new_page(), party.app, party.base, plan)
        for step in steps(party.app):
            ready = await _attempt(walk, step.prepare, step.name, party) and await _attempt(
                walk, Walk.arm, step.name, party)
            await party.barrier.wait()
            if ready and await _attempt(walk, step.act, step.name, party):
                party.samples[step.name].append(walk.seconds)
                await _attempt(walk, step.after, step.name, party)
    finally:
        await context.close()


# ---- Rounds: every app, store and number of managers ----

def plan_for(store: Store, round_index: int, repeats: int, repeat: int, manager: int, managers: int) -> Plan:
    """Pages open at a minute of their own per round and repeat; each manager picks another day of March at
    that minute, so no "as of" is picked twice while ``managers × repeats`` ≤ 26 (3 to 28 March)."""
    start = FIRST_DAY + timedelta(minutes=round_index * repeats + repeat)
    picked = start.replace(day=3 + (repeat * managers + manager) % 26)
    return Plan(manager, start, picked, capacity=250 + 50 * manager, session=store.session)


async def first_load(browser: Browser, app: App, server: Server) -> float:
    """The server's first page (the script's imports, the store opened), at a moment no journey uses."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT)
    await context.add_init_script(_WATCH)
    try:
        walk = Walk(await context.new_page(), app, server.url, Plan(0, FIRST_DAY - timedelta(days=1), FIRST_DAY, 0, ""))
        return await walk.load("overview")
    finally:
        await context.close()


async def measure_store(browser: Browser, store: Store, servers: dict[str, Server], args: argparse.Namespace,
                        results: Results, work: Path) -> None:
    """Each number of managers in turn; within it, each repeat of the journey on one app, then on the other."""
    for app in APPS:
        results.first_load[store.name, app.name] = await first_load(browser, app, servers[app.name])
    for round_index, managers in enumerate(args.managers):
        for server in servers.values():
            reset_peak(server.pid)
        for repeat in range(args.repeat):
            for app in APPS:
                sys.stderr.write(f"{store.name}, {managers} manager(s), repeat {repeat + 1}: {app.name}\n")
                key = (store.name, app.name, managers)
                party = Party(app, servers[app.name].url, asyncio.Barrier(managers), results.samples[key],
                              results.errors[key], work, f"{store.name}-{managers}-managers-repeat{repeat + 1}")
                await asyncio.gather(*(
                    journey(browser, party, plan_for(store, round_index, args.repeat, repeat, manager, managers))
                    for manager in range(managers)))
        for app in APPS:
            results.peak_mb[store.name, app.name, managers] = peak_mb(servers[app.name].pid)


async def bench(args: argparse.Namespace, stores: Sequence[Store], work: Path) -> Results:
    """One Chromium for the whole run; both apps' servers for one store at a time."""
    results = Results()
    assert async_playwright is not None
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for store in stores:
                with ExitStack() as stack:
                    servers = {app.name: stack.enter_context(serve(app.script, store.url,
                                                                   work / f"{store.name}-{app.name}.log"))
                               for app in APPS}
                    await measure_store(browser, store, servers, args, results, work)
        finally:
            await browser.close()
    return results


# ---- The table ----

def _p95(values: Sequence[float]) -> float:
    """Nearest rank: the smallest value with at least 95% of the values at or below it."""
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def _cells(values: Sequence[float]) -> tuple[str, str]:
    if not values:
        return "-", "-"
    return f"{statistics.median(values):.3f}", f"{_p95(values):.3f}"


def _ratio(ours: Sequence[float], naive: Sequence[float], managers: int) -> str:
    if not ours or not naive:
        return "-"
    if managers == 1:
        return f"{statistics.median(ours) / statistics.median(naive):.2f}"
    return f"{_p95(ours) / _p95(naive):.2f}"


COLUMNS = ("interaction", "managers", "scanready p50 s", "scanready p95 s", "naive p50 s", "naive p95 s", "ratio",
           "of", "samples", "errors")


def table(results: Results, store: Store, managers_list: Sequence[int]) -> list[str]:
    """One row per interaction and number of managers, in columns at least two spaces apart."""
    rows = [COLUMNS]
    for interaction in INTERACTIONS:
        for managers in managers_list:
            ours = results.samples[store.name, "scanready", managers][interaction]
            naive = results.samples[store.name, "naive", managers][interaction]
            errors = (f"{results.errors[store.name, 'scanready', managers][interaction]}/"
                      f"{results.errors[store.name, 'naive', managers][interaction]}")
            rows.append((interaction, str(managers), *_cells(ours), *_cells(naive), _ratio(ours, naive, managers),
                         "p50" if managers == 1 else "p95", f"{len(ours)}/{len(naive)}", errors))
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    return ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths,
                                                                                                   strict=True)))
            for row in rows]


def report(results: Results, stores: Sequence[Store], args: argparse.Namespace) -> str:
    blocks = []
    for store in stores:
        lines = [f"{store.name} store ({store.description}), {args.repeat} repeat(s) per manager:",
                 *table(results, store, args.managers), ""]
        peaks = {app.name: " / ".join(f"{results.peak_mb[store.name, app.name, m]:.0f}" for m in args.managers)
                 for app in APPS}
        lines.append(f"peak RSS MB with {' / '.join(map(str, args.managers))} manager(s): "
                     f"scanready {peaks['scanready']}, naive {peaks['naive']}")
        lines.append(f"first load after the server started: scanready "
                     f"{results.first_load[store.name, 'scanready']:.2f} s, naive "
                     f"{results.first_load[store.name, 'naive']:.2f} s")
        blocks.append("\n".join(lines))
    notes = ("ratio: scanready / naive, of p50 with one manager and of p95 with more; samples and errors: "
             "scanready/naive (a step that fails or times out is an error, and the rest of that journey is skipped)")
    return "\n\n".join([*blocks, notes]) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--managers", type=lambda text: [int(n) for n in text.split(",")], default=[1, 4, 8])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--store", choices=["example", "generated", "both"], default="both")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (stores, server logs)")
    args = parser.parse_args()
    if async_playwright is None or not Path(CHROMIUM).exists():
        sys.stderr.write(f"needs Playwright (pip install -e '.[dev]') and {CHROMIUM} (apt-get install chromium)\n")
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped: still stop the servers, remove the folder
    work = Path(tempfile.mkdtemp(prefix="scanready-bench-pages-"))
    try:
        stores = []
        if args.store in ("example", "both"):
            stores.append(example_store(work / "example", ANCHOR))
        if args.store in ("generated", "both"):
            stores.append(generated_store(work / "generated", args.sessions, args.links))
        sys.stdout.write(report(asyncio.run(bench(args, stores, work)), stores, args))
    finally:
        if args.keep:
            sys.stderr.write(f"kept {work}\n")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
