// The demo exchange page: its strings come from the same catalogs as the widget, its
// numbers are formatted for the reader's language. The prices are made up.

import { loadTranslator } from "/static/shared/i18n.js";

const MARKETS = [
  { symbol: "BTC", price: 67432.18, change: 2.41, volume: 28.4e9 },
  { symbol: "ETH", price: 3512.77, change: -1.12, volume: 14.9e9 },
  { symbol: "SOL", price: 172.05, change: 5.83, volume: 3.1e9 },
  { symbol: "USDT", price: 1.0, change: 0.01, volume: 52.7e9 },
  { symbol: "XRP", price: 0.5231, change: -0.64, volume: 1.2e9 },
  { symbol: "ADA", price: 0.4517, change: 1.95, volume: 0.41e9 },
  { symbol: "DOGE", price: 0.1623, change: -3.27, volume: 0.96e9 },
];
const HOLDINGS = [
  { symbol: "BTC", amount: 0.2841 },
  { symbol: "ETH", amount: 1.75 },
  { symbol: "USDT", amount: 1820.5 },
];
const WITHDRAWALS = [
  { symbol: "BTC", amount: 0.05, status: "pending", address: "bc1q…7x2k", when: -35 * 60e3 },
  { symbol: "USDT", amount: 500, status: "review", address: "TQn9…a4Lm", when: -26 * 3600e3 },
  { symbol: "ETH", amount: 0.4, status: "completed", address: "0x8f3…c91d", when: -4 * 86400e3 },
];

function preferredLocale() {
  const params = new URLSearchParams(location.search);
  return params.get("lang") || (navigator.languages && navigator.languages[0]) || "en";
}

function translate(tr) {
  document.documentElement.lang = tr.locale;
  document.title = tr.t("demo.page_title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = tr.t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", tr.t(node.dataset.i18nLabel));
  }
}

function cell(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function icon(symbol) {
  const node = cell("span", symbol.slice(0, 1), `coin coin-${symbol.toLowerCase()}`);
  node.setAttribute("aria-hidden", "true");
  return node;
}

function money(locale, value, digits) {
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

function renderMarkets(tr) {
  const { locale } = tr;
  const compact = new Intl.NumberFormat(locale, { notation: "compact", style: "currency", currency: "USD", maximumFractionDigits: 1 });
  const percent = new Intl.NumberFormat(locale, { style: "percent", signDisplay: "exceptZero", minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const rows = MARKETS.map((market) => {
    const row = document.createElement("tr");
    const asset = cell("th");
    asset.scope = "row";
    const names = cell("span", undefined, "asset-names");
    names.append(cell("span", market.symbol, "symbol"), cell("span", tr.t(`demo.asset.${market.symbol}`), "name"));
    asset.append(icon(market.symbol), names);
    const digits = market.price < 10 ? 4 : 2;
    const trade = cell("a", tr.t("demo.trade"), "btn small");
    trade.href = "/demo?page=trade";
    trade.setAttribute("aria-label", tr.t("demo.trade_asset", { asset: market.symbol }));
    const tradeCell = cell("td", undefined, "hide-sm");
    tradeCell.append(trade);
    row.append(
      asset,
      cell("td", money(locale, market.price, digits), "num"),
      cell("td", percent.format(market.change / 100), `num ${market.change >= 0 ? "up" : "down"}`),
      cell("td", compact.format(market.volume), "num hide-sm"),
      tradeCell,
    );
    return row;
  });
  document.getElementById("market-rows").replaceChildren(...rows);
}

function renderWallet(tr) {
  const { locale } = tr;
  const price = Object.fromEntries(MARKETS.map((m) => [m.symbol, m.price]));
  const total = HOLDINGS.reduce((sum, h) => sum + h.amount * price[h.symbol], 0);
  document.getElementById("balance-total").textContent = money(locale, total, 2);
  document.getElementById("balance-delta").textContent = `+${money(locale, 412.36, 2)} (+1.63%)`;
  const amount = new Intl.NumberFormat(locale, { maximumFractionDigits: 4 });
  document.getElementById("holdings").replaceChildren(
    ...HOLDINGS.map((h) => {
      const item = cell("li");
      const label = cell("span", undefined, "holding-name");
      label.append(icon(h.symbol), cell("span", tr.t(`demo.asset.${h.symbol}`)));
      const values = cell("span", undefined, "holding-values");
      values.append(cell("span", `${amount.format(h.amount)} ${h.symbol}`), cell("span", money(locale, h.amount * price[h.symbol], 2), "muted"));
      item.append(label, values);
      return item;
    }),
  );
  document.getElementById("withdrawals").replaceChildren(
    ...WITHDRAWALS.map((w) => {
      const item = cell("li");
      const left = cell("span", undefined, "withdrawal-main");
      left.append(
        cell("span", `${amount.format(w.amount)} ${w.symbol}`, "withdrawal-amount"),
        cell("span", `${tr.t("demo.withdrawal_to", { address: w.address })} · ${tr.relative(new Date(Date.now() + w.when))}`, "muted"),
      );
      item.append(left, cell("span", tr.t(`demo.withdrawal.${w.status}`), `pill ${w.status}`));
      return item;
    }),
  );
}

loadTranslator(preferredLocale()).then((tr) => {
  translate(tr);
  renderMarkets(tr);
  renderWallet(tr);
  document.body.classList.add("ready");
});
