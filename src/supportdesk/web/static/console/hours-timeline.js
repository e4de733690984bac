// The coverage timeline: every team's open intervals over the next days on one time axis,
// drawn in the viewer's time zone from GET /coverage (UTC instants).
import { browserTimeZone } from "../shared/i18n.js";
import { get } from "./api.js";
import { h, replace } from "./dom.js";
import { n, state, t } from "./store.js";

// Within this, a weekday names the next opening without ambiguity; beyond it, the date does.
const SOON_MS = 6 * 24 * 60 * 60 * 1000;

export async function renderTimeline(host, { days = 7, selected = null } = {}) {
  const coverage = await get(`/coverage?days=${days}`);
  const start = new Date(coverage.start).getTime();
  const end = new Date(coverage.end).getTime();
  const place = (from, to) => ({ left: share(from - start, end - start), width: share(to - from, end - start) });
  const midnights = localMidnights(start, end);
  const rows = coverage.teams.map((team) => teamRow(team, midnights, place, team.team_id === selected));
  replace(
    host,
    h("h2", { id: "hours-coverage-title" }, n("console.hours.coverage", days)),
    h("p.muted.hours-zone", t("console.hours.your_zone", { zone: browserTimeZone() })),
    rows.length
      ? h("div.hours-chart", h("div.hours-axis-row", h("div.hours-team-head"), dayAxis([start, ...midnights, end], place)), rows)
      : h("p.muted", t("console.hours.no_teams")),
  );
  return coverage;
}

function share(part, whole) {
  return `${((part / whole) * 100).toFixed(3)}%`;
}

function positioned(element, { left, width }) {
  // CSSOM properties, not a style attribute: the console's CSP forbids inline styles.
  element.style.left = left;
  element.style.width = width;
  return element;
}

// One cell per local day, labelled in its middle; a sliver of a day (the window starts or
// ends near midnight) keeps its cell but not its label, which would not fit.
function dayAxis(bounds, place) {
  const long = state.tr.format({ weekday: "short", day: "numeric" });
  const short = state.tr.format({ weekday: "short" }); // a phone's narrow days, in order from today
  const cells = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [from, to] = [bounds[i], bounds[i + 1]];
    const day = new Date(from);
    const labelled = to - from >= 6 * 60 * 60 * 1000;
    const cell = h(
      "span.hours-day",
      { title: labelled ? long.format(day) : null },
      labelled ? [h("span.hours-day-long", long.format(day)), h("span.hours-day-short", short.format(day))] : null,
    );
    cells.push(positioned(cell, place(from, to)));
  }
  return h("div.hours-axis", { "aria-hidden": "true" }, cells);
}

function teamRow(team, midnights, place, isSelected) {
  const range = state.tr.format({ dateStyle: "medium", timeStyle: "short" });
  const bar = h("div.hours-bar", { role: "list", "aria-label": team.name });
  for (const at of midnights) bar.append(positioned(h("span.hours-midnight", { "aria-hidden": "true" }), place(at, at)));
  for (const interval of team.intervals) {
    const from = new Date(interval.start);
    const to = new Date(interval.end);
    const text = range.formatRange(from, to);
    bar.append(positioned(h("span.hours-open", { role: "listitem", title: text, "aria-label": text }), place(from.getTime(), to.getTime())));
  }
  return h(
    isSelected ? "div.hours-row.is-selected" : "div.hours-row",
    { dataset: { teamId: String(team.team_id) } },
    h(
      "div.hours-team",
      h(
        "span.hours-team-line",
        h("a.hours-team-name", { href: `#/hours/${team.team_id}`, title: team.name, "aria-current": isSelected ? "true" : null }, team.name),
        statusChip(team),
      ),
      h("span.hours-team-meta.muted", [team.timezone, nextOpening(team)].filter(Boolean).join(" · ")),
    ),
    bar,
  );
}

function statusChip(team) {
  if (team.open_now) return h("span.hours-status.is-open", t("console.hours.open_now"));
  return h("span.hours-status", t("console.hours.closed_now"));
}

// "opens Wed 8:00 AM" within the coming week, with the date beyond it.
function nextOpening(team) {
  if (team.open_now || !team.next_opening) return "";
  const at = new Date(team.next_opening);
  const soon = at.getTime() - Date.now() < SOON_MS;
  const format = state.tr.format(soon ? { weekday: "short", hour: "numeric", minute: "2-digit" } : { dateStyle: "medium", timeStyle: "short" });
  return t("console.hours.opens", { when: format.format(at) });
}

// Each local midnight after ``start`` and before ``end``. The local calendar moves the date,
// so a 23- or 25-hour day (a DST change) still ends at midnight.
function localMidnights(start, end) {
  const found = [];
  const day = new Date(start);
  day.setHours(24, 0, 0, 0);
  while (day.getTime() < end) {
    found.push(day.getTime());
    day.setDate(day.getDate() + 1);
    day.setHours(0, 0, 0, 0);
  }
  return found;
}
