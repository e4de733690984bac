// The browser half of the product's one translation mechanism (docs/i18n.md).
//
// The server negotiates the locale and sends every English message overridden by the
// locale's translations, so nothing here falls back by itself. Plural messages are
// objects keyed by CLDR plural category, the names Intl.PluralRules returns; dates and
// times come from Intl with the same locale tag, in the viewer's own time zone.

const DAY_MS = 24 * 60 * 60 * 1000;

export async function loadTranslator(locale) {
  const tag = encodeURIComponent(String(locale || "en").slice(0, 40)) || "en";
  let catalog;
  try {
    const response = await fetch(`/api/v1/i18n/${tag}`, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`catalog ${tag}: HTTP ${response.status}`);
    catalog = await response.json();
  } catch (error) {
    if (tag === "en") throw error;
    return loadTranslator("en");
  }
  return new Translator(catalog.locale, catalog.messages);
}

export function browserTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export class Translator {
  constructor(locale, messages) {
    this.locale = locale;
    this.messages = messages || {};
    this.plurals = new Intl.PluralRules(locale);
    this.numbers = new Intl.NumberFormat(locale);
    this.formats = new Map();
  }

  has(key) {
    return Object.hasOwn(this.messages, key);
  }

  t(key, params = {}) {
    const message = this.messages[key];
    if (typeof message !== "string") return key;
    return fill(message, params);
  }

  n(key, count, params = {}) {
    const message = this.messages[key];
    if (!message || typeof message !== "object") return key;
    const form = message[this.plurals.select(count)] ?? message.other ?? "";
    return fill(form, { ...params, count: this.numbers.format(count) });
  }

  number(value) {
    return this.numbers.format(value);
  }

  time(date, timeZone) {
    return this.format({ hour: "numeric", minute: "2-digit", timeZone }).format(toDate(date));
  }

  dateTime(date, timeZone) {
    return this.format({ dateStyle: "medium", timeStyle: "short", timeZone }).format(toDate(date));
  }

  weekdayTime(date, timeZone) {
    return this.format({ weekday: "long", hour: "numeric", minute: "2-digit", timeZone }).format(
      toDate(date),
    );
  }

  // "Today" / "Yesterday" in the locale's own words, else the date.
  day(date, timeZone) {
    const when = toDate(date);
    const key = (d) => this.format({ dateStyle: "short", timeZone }).format(d);
    const now = new Date();
    if (key(when) === key(now)) return capitalize(this.relativeFormat().format(0, "day"));
    if (key(when) === key(new Date(now.getTime() - DAY_MS))) {
      return capitalize(this.relativeFormat().format(-1, "day"));
    }
    return this.format({ dateStyle: "medium", timeZone }).format(when);
  }

  // "3 minutes ago", "in 2 hours": the largest unit that fits.
  relative(date, now = new Date()) {
    const seconds = Math.round((toDate(date).getTime() - now.getTime()) / 1000);
    const units = [
      ["day", 86400],
      ["hour", 3600],
      ["minute", 60],
    ];
    for (const [unit, size] of units) {
      if (Math.abs(seconds) >= size) {
        return this.relativeFormat().format(Math.trunc(seconds / size), unit);
      }
    }
    return this.relativeFormat().format(0, "second");
  }

  // A short duration such as "5 min" or "2 h" for waiting times.
  duration(seconds) {
    const abs = Math.max(0, Math.round(seconds));
    const [value, unit] =
      abs >= 86400 ? [abs / 86400, "day"] : abs >= 3600 ? [abs / 3600, "hour"] : [abs / 60, "minute"];
    return new Intl.NumberFormat(this.locale, {
      style: "unit",
      unit,
      unitDisplay: "short",
      maximumFractionDigits: 0,
    }).format(Math.floor(value));
  }

  relativeFormat() {
    if (!this.relativeFormatter) {
      this.relativeFormatter = new Intl.RelativeTimeFormat(this.locale, { numeric: "auto" });
    }
    return this.relativeFormatter;
  }

  format(options) {
    const key = JSON.stringify(options);
    let formatter = this.formats.get(key);
    if (!formatter) {
      try {
        formatter = new Intl.DateTimeFormat(this.locale, options);
      } catch {
        // An unknown time zone: show the browser's own rather than nothing.
        formatter = new Intl.DateTimeFormat(this.locale, { ...options, timeZone: undefined });
      }
      this.formats.set(key, formatter);
    }
    return formatter;
  }
}

function fill(message, params) {
  return message.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

function toDate(value) {
  return value instanceof Date ? value : new Date(value);
}

function capitalize(text) {
  return text ? text[0].toLocaleUpperCase() + text.slice(1) : text;
}
