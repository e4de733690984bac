// The "Teams and hours" page (#/hours): a team's weekly hours and holidays, and the coverage
// timeline of all teams. Staff read; supervisors and admins edit (docs/routing.md).
import { del, get, post, put } from "./api.js";
import { h, replace, toast } from "./dom.js";
import { errorText } from "./errors.js";
import { renderTimeline } from "./hours-timeline.js";
import { n, on, state, t } from "./store.js";

const STYLESHEET = "/static/console/hours.css";
// The server's week keys, Monday first (routing/hours.py DAYS).
const DAY_KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
// 1 January 2024 was a Monday: the seven days from it name the weekdays in any locale.
const A_MONDAY = Date.UTC(2024, 0, 1);

let rendering = 0; // the latest render: an older one still loading must not paint over it
let refreshTimeline = null; // the shown page's timeline, redrawn when a team changes

export async function renderHoursPage(host, rest = []) {
  const ticket = ++rendering;
  const current = () => ticket === rendering && !host.hidden;
  listenForTeamChanges();
  refreshTimeline = null;
  replace(host, h("div.hours-page", h("p.muted", t("console.loading"))));
  try {
    const [teams] = await Promise.all([get("/teams"), useStylesheet()]);
    if (!current()) return;
    paintPage(host, teams, Number(rest[0]), current);
  } catch (failure) {
    if (current()) replace(host, h("div.hours-page", h("p.error-state", errorText(failure))));
  }
}

function paintPage(host, teams, wanted, current) {
  const team = teams.find((item) => item.id === wanted) || teams[0];
  const timeline = h("section.hours-card.hours-timeline", { "aria-labelledby": "hours-coverage-title" });
  const editor = h("div.hours-editor");
  const picker = team
    ? h(
        "label.hours-team-field",
        h("span", t("console.hours.team")),
        h(
          "select.hours-team-picker",
          { id: "hours-team", onchange: (event) => (location.hash = `#/hours/${event.target.value}`) },
          teams.map((item) => h("option", { value: String(item.id), selected: item.id === team.id }, item.name)),
        ),
      )
    : null;
  replace(
    host,
    h(
      "div.hours-page",
      h("div.hours-head", h("h1", t("console.hours.title")), picker),
      // The whole desk first, then the chosen team's week and holidays.
      timeline,
      team ? editor : null,
    ),
  );
  const refresh = () => (current() ? renderTimeline(timeline, { selected: team && team.id }).catch(showError) : null);
  refreshTimeline = refresh;
  if (team) renderEditor(editor, team, refresh).catch(showError);
  refresh();
}

// Another supervisor's change (team.updated → live.js reloads the teams) redraws the
// timeline; the editor keeps what is being typed.
let listening = false;
function listenForTeamChanges() {
  if (listening) return;
  listening = true;
  on("teams", () => {
    if (location.hash.startsWith("#/hours") && refreshTimeline) refreshTimeline();
  });
}

export function canEditHours() {
  return Boolean(state.me && (state.me.role === "admin" || state.me.role === "supervisor"));
}

export function dayNames(width = "long") {
  const format = state.tr.format({ weekday: width, timeZone: "UTC" });
  return DAY_KEYS.map((_, i) => format.format(new Date(A_MONDAY + i * 86_400_000)));
}

async function renderEditor(host, team, onChange) {
  const [hours, holidays] = await Promise.all([get(`/teams/${team.id}/hours`), get(`/teams/${team.id}/holidays`)]);
  const editable = canEditHours();
  // After a save the server's normalised week (sorted, 24:00) replaces what was typed.
  const rerender = async () => {
    await renderEditor(host, team, onChange);
    await onChange();
  };
  replace(host, weekSection(team, hours, editable, rerender), holidaySection(team, holidays, editable, onChange));
}

function weekSection(team, hours, editable, rerender) {
  const names = dayNames();
  const rows = h("tbody");
  const addRow = (interval) => rows.append(intervalRow(interval, names, editable));
  hours.intervals.forEach(addRow);
  const form = h(
    "form.hours-card.hours-week",
    { "aria-labelledby": "hours-week-title", onsubmit: (event) => saveWeek(event, team, rows, rerender) },
    h("h2", { id: "hours-week-title" }, t("console.hours.week")),
    h("p.muted.hours-zone", t("console.hours.timezone", { zone: hours.timezone })),
    hours.is_default ? h("p.muted", t("console.hours.default_week")) : null,
    h(
      "table.hours-table",
      h("thead", h("tr", h("th", t("console.hours.day")), h("th", t("console.hours.start")), h("th", t("console.hours.end")), h("th"))),
      rows,
    ),
    editable
      ? h(
          "div.hours-actions",
          h("button.btn.btn-ghost.btn-sm", { type: "button", onclick: () => addRow({ day: "mon", start: "09:00", end: "18:00" }) }, t("console.hours.add_interval")),
          h("button.btn.btn-primary.btn-sm", { type: "submit" }, t("console.hours.save")),
          h("button.btn.btn-ghost.btn-sm", { type: "button", onclick: () => resetWeek(team, rerender) }, t("console.hours.reset")),
        )
      : h("p.muted", t("console.hours.read_only")),
  );
  return form;
}

function intervalRow(interval, names, editable) {
  const day = h(
    "select",
    { name: "day", "aria-label": t("console.hours.day"), disabled: !editable },
    DAY_KEYS.map((key, i) => h("option", { value: key, selected: key === interval.day }, names[i])),
  );
  const field = (name, value, label) => h("input", { type: "time", name, value, required: true, "aria-label": label, disabled: !editable });
  const start = field("start", interval.start, t("console.hours.start"));
  // <input type=time> cannot hold 24:00: midnight at the end of the day is shown as 00:00.
  const end = field("end", interval.end === "24:00" ? "00:00" : interval.end, t("console.hours.end"));
  const note = h("span.muted.hours-overnight");
  const paint = () => {
    note.textContent = end.value && end.value !== "00:00" && end.value <= start.value ? t("console.hours.overnight") : "";
  };
  start.addEventListener("input", paint);
  end.addEventListener("input", paint);
  paint();
  const row = h("tr", h("td", day), h("td", start), h("td.hours-end", end, note));
  const remove = h("button.btn.btn-ghost.btn-sm", { type: "button", onclick: () => row.remove() }, t("console.hours.remove"));
  row.append(h("td", editable ? remove : null));
  return row;
}

async function saveWeek(event, team, rows, rerender) {
  event.preventDefault();
  const intervals = [...rows.querySelectorAll("tr")].map((row) => ({
    day: row.querySelector("[name=day]").value,
    start: row.querySelector("[name=start]").value,
    end: row.querySelector("[name=end]").value,
  }));
  try {
    await put(`/teams/${team.id}/hours`, { intervals });
    toast(t("console.hours.saved"));
    await rerender();
  } catch (failure) {
    showError(failure);
  }
}

async function resetWeek(team, rerender) {
  try {
    await put(`/teams/${team.id}/hours`, { intervals: null });
    await rerender();
  } catch (failure) {
    showError(failure);
  }
}

// A holiday is a date in the team's zone, not an instant: shown as that calendar date.
function holidayDate(date) {
  return state.tr.format({ dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${date}T00:00:00Z`));
}

function holidaySection(team, holidays, editable, onChange) {
  const list = h("ul.hours-holidays");
  const paint = (items) =>
    replace(
      list,
      items.length
        ? items.map((holiday) =>
            h(
              "li",
              h("time", { datetime: holiday.date }, holidayDate(holiday.date)),
              h("span.hours-holiday-name", holiday.name || ""),
              editable
                ? h("button.btn.btn-ghost.btn-sm", { type: "button", onclick: () => removeHoliday(team, holiday, reload) }, t("console.hours.remove"))
                : null,
            ),
          )
        : h("li.muted", t("console.hours.no_holidays")),
    );
  const reload = async () => {
    paint(await get(`/teams/${team.id}/holidays`));
    await onChange();
  };
  paint(holidays);
  return h(
    "section.hours-card.hours-holiday-section",
    { "aria-labelledby": "hours-holidays-title" },
    h("h2", { id: "hours-holidays-title" }, t("console.hours.holidays")),
    list,
    editable ? holidayForm(team, reload) : null,
  );
}

function holidayForm(team, reload) {
  const date = h("input", { type: "date", name: "date", required: true, "aria-label": t("console.hours.date") });
  const name = h("input", { type: "text", name: "name", maxLength: 200, placeholder: t("console.hours.name"), "aria-label": t("console.hours.name") });
  const file = h("input.hours-file", { type: "file", accept: ".ics,text/calendar" });
  file.addEventListener("change", () => importFile(team, file, reload));
  return h(
    "form.hours-holiday-form",
    { onsubmit: (event) => addHoliday(event, team, date, name, reload) },
    date,
    name,
    h("button.btn.btn-ghost.btn-sm", { type: "submit" }, t("console.hours.add_holiday")),
    // The label is the visible button; the input stays focusable for the keyboard.
    h("label.btn.btn-ghost.btn-sm.hours-import", t("console.hours.import"), file),
  );
}

async function addHoliday(event, team, date, name, reload) {
  event.preventDefault();
  try {
    await post(`/teams/${team.id}/holidays`, { date: date.value, name: name.value });
    date.value = "";
    name.value = "";
    await reload();
  } catch (failure) {
    showError(failure);
  }
}

async function removeHoliday(team, holiday, reload) {
  try {
    await del(`/teams/${team.id}/holidays/${holiday.id}`);
    await reload();
  } catch (failure) {
    showError(failure);
  }
}

async function importFile(team, input, reload) {
  const chosen = input.files && input.files[0];
  if (!chosen) return;
  const body = new FormData();
  body.append("file", chosen);
  try {
    const result = await post(`/teams/${team.id}/holidays/import`, body);
    toast(
      t("console.hours.imported", {
        added: n("console.hours.imported_added", result.added.length),
        present: n("console.hours.imported_present", result.already_present.length),
        skipped: n("console.hours.imported_skipped", result.skipped.length),
      }),
    );
    await reload();
  } catch (failure) {
    showError(failure);
  } finally {
    input.value = "";
  }
}

// A refused week, holiday or calendar (400, 409, 422): the server's message names the exact
// problem ("fri 22:00–06:00 overlaps sat 05:00–09:00"); anything else in the console's words.
const REFUSED = new Set([400, 409, 422]);

function showError(failure) {
  const message = REFUSED.has(failure.status) && failure.message ? failure.message : errorText(failure);
  toast(t("console.hours.error", { message }), "error", 8000);
}

// The page's rules load with it, once; the page paints when they apply (no unstyled flash).
let stylesheet = null;
function useStylesheet() {
  stylesheet ||= new Promise((done) => {
    const link = h("link", { rel: "stylesheet", href: STYLESHEET });
    link.addEventListener("load", done, { once: true });
    link.addEventListener("error", done, { once: true }); // unstyled beats blank
    document.head.append(link);
  });
  return stylesheet;
}
