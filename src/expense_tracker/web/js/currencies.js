// The currencies the API accepts and their minor-unit digits (ISO 4217), as in
// domain/currencies.py; tests/browser/test_client_rules.py fails when the two differ.
// Intl's own digits (CLDR) differ for a few codes, so they cannot stand in for these.

/** @type {[number, string][]} */
const GROUPS = [
  [0,
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"],
  [2,
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN " +
    "BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP " +
    "GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK " +
    "LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK " +
    "NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP " +
    "STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER " +
    "ZAR ZMW ZWG"],
  [3,
    "BHD IQD JOD KWD LYD OMR TND"],
  [4,
    "CLF UYW"],
];

export const MINOR_UNITS = Object.fromEntries(
  GROUPS.flatMap(([digits, codes]) => codes.split(" ").map((code) => [code, digits])),
);

/** Digits after the decimal point (USD 2, JPY 0, KWD 3); null for a code the API refuses. */
export function minorDigits(currency) {
  return Object.hasOwn(MINOR_UNITS, currency) ? MINOR_UNITS[currency] : null;
}

export const CURRENCY_CODES = Object.keys(MINOR_UNITS).sort();
