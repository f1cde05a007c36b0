// What the import dialog shows before anything is sent: the statement's format, guessed from
// its first bytes (the rules of the server's domain/statements/detect.py), and its first rows.
// Only a preview: the server reads the whole file with real parsers and is the judge.

export const HEAD_BYTES = 64 * 1024;
export const FORMAT_NAMES = { csv: "CSV", ofx: "OFX", qif: "QIF", camt053: "CAMT.053", mt940: "MT940" };
const OUR_COLUMNS = ["date", "amount", "currency", "category"];
const PREVIEW_ROWS = 5;

/** "csv" | "ofx" | "qif" | "camt053" | "mt940", or null for binary data. @param {string} head */
export function detectFormat(head) {
  const text = head.slice(0, 4096).replace(/^\uFEFF/, "");
  if (text.includes("\u0000")) return null;
  if (/OFXHEADER\s*[:=]|<\?OFX\b|<OFX>/i.test(text)) return "ofx";
  if (/camt\.053|<BkToCstmrStmt\b/.test(text)) return "camt053";
  if (/^\s*!(?:Type|Account|Option|Clear)/i.test(text)) return "qif";
  if (/(?:^|\n)\s*(?:\{1:|:20:)/.test(text)) return "mt940";
  return "csv";
}

/** The delimiter of the first line: the one it has most of. @param {string} line */
export function guessDelimiter(line) {
  const counts = [",", ";", "\t", "|"].map((d) => [d, line.split(d).length]);
  counts.sort((a, b) => Number(b[1]) - Number(a[1]));
  return String(counts[0][0]);
}

/** CSV lines to cells (quotes and doubled quotes), for the few preview lines only. */
function csvCells(text, delimiter, limit) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < limit; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i += 1; } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) { row.push(cell); cell = ""; } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i += 1;
      row.push(cell);
      if (row.some((c) => c !== "")) rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if ((cell || row.length) && rows.length < limit) rows.push([...row, cell]);
  return rows;
}

/** @param {string} head @returns {{columns: string[], rows: string[][], delimiter: string, ours: boolean}} */
export function previewCsv(head) {
  const text = head.replace(/^\uFEFF/, "");
  const delimiter = guessDelimiter(text.split(/\r?\n/, 1)[0]);
  const [columns = [], ...rows] = csvCells(text, delimiter, PREVIEW_ROWS + 1);
  const lower = columns.map((c) => c.trim().toLowerCase());
  return { columns, rows, delimiter, ours: OUR_COLUMNS.every((c) => lower.includes(c)) };
}

const tag = (block, name) => (new RegExp(`<${name}>([^<\\r\\n]*)`, "i").exec(block)?.[1] ?? "").trim();
const day = (compact) => compact.replace(/^(\d{4})(\d{2})(\d{2}).*/, "$1-$2-$3");

function ofxRows(head) {
  return [...head.matchAll(/<STMTTRN>([\s\S]*?)(?=<\/STMTTRN>|<STMTTRN>|$)/gi)].map(([, b]) =>
    [day(tag(b, "DTPOSTED")), tag(b, "TRNAMT"), tag(b, "NAME") || tag(b, "MEMO")]);
}

function qifRows(head) {
  return head.split(/^\^\s*$/m).slice(0, PREVIEW_ROWS + 1).map((record) => {
    const field = (code) => (new RegExp(`^${code}(.*)$`, "m").exec(record)?.[1] ?? "").trim();
    return [field("D"), field("T") || field("U"), field("P")];
  }).filter((row) => row[0]);
}

function camtRows(head) {
  return [...head.matchAll(/<Ntry>([\s\S]*?)<\/Ntry>/g)].map(([, b]) => {
    const amount = /<Amt Ccy="([A-Z]{3})">([^<]+)</.exec(b);
    const sign = /<CdtDbtInd>DBIT/.test(b) ? "-" : "";
    const text = /<Ustrd>([^<]*)</.exec(b)?.[1] ?? /<Nm>([^<]*)</.exec(b)?.[1] ?? "";
    return [/<Dt>([^<]+)</.exec(b)?.[1] ?? "", amount ? `${sign}${amount[2]} ${amount[1]}` : "", text];
  });
}

function mt940Rows(head) {
  return [...head.matchAll(/^:61:(\d{2})(\d{2})(\d{2})\d{0,4}(R?[CD])([A-Z]?)([\d,]+)[^\n]*(?:\n:86:([^\n]*))?/gm)]
    .map(([, y, m, d, mark, , amount, text]) => [`20${y}-${m}-${d}`, `${mark.endsWith("D") ? "-" : ""}${amount}`, (text ?? "").trim()]);
}

const READERS = { ofx: ofxRows, qif: qifRows, camt053: camtRows, mt940: mt940Rows };

/** The first rows of a bank format as date / amount / description. */
export function previewStatement(format, head) {
  return { columns: ["Date", "Amount", "Description"], rows: READERS[format](head).slice(0, PREVIEW_ROWS) };
}

const NAME_HINTS = {
  date: /date|datum|buchung|fecha|day/i,
  amount: /amount|betrag|importe|montant|sum|value/i,
  currency: /currency|währung|waehrung|ccy|devise|moneda/i,
  description: /desc|payee|memo|zweck|text|details|narrative|name|concepto|libell/i,
  category: /categ|kategorie/i,
};

/** The mapping a foreign CSV most likely needs, from its header and first rows. */
export function guessMapping(columns, rows) {
  const pick = (hint) => columns.find((c) => hint.test(c)) ?? "";
  const mapping = Object.fromEntries(Object.entries(NAME_HINTS).map(([field, hint]) => [field, pick(hint)]));
  const at = (name) => rows.map((r) => r[columns.indexOf(name)] ?? "").filter(Boolean);
  const dates = at(mapping.date);
  const amounts = at(mapping.amount);
  return { ...mapping, date_format: guessDateFormat(dates), decimal: amounts.some((a) => /,\d{1,2}$/.test(a)) ? "," : "." };
}

function guessDateFormat(dates) {
  if (dates.every((d) => /^\d{4}-\d{2}-\d{2}/.test(d))) return "%Y-%m-%d";
  if (dates.some((d) => /^\d{1,2}\.\d{1,2}\.\d{4}/.test(d))) return "%d.%m.%Y";
  const parts = dates.map((d) => d.split("/").map(Number));
  if (parts.some(([first]) => first > 12)) return "%d/%m/%Y";
  if (parts.some(([, second]) => second > 12)) return "%m/%d/%Y";
  return navigator.language === "en-US" ? "%m/%d/%Y" : "%d/%m/%Y";
}
