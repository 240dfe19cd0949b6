// Package catalogue is the hall's service catalogue: the departments
// stationed in the hall (部门), the service items they handle (事项) with
// their conditions, materials, fees, legal basis and time limits, the queues
// items are grouped into (one ticket prefix letter each) and the windows
// that serve those queues.
//
// A catalogue arrives as JSON — the embedded sample (assets/catalogue/seed.json,
// see [Seed]) or a version sent by the province — and is accepted only
// through [Parse], which rejects unknown fields and runs [Catalogue.Validate].
// Validate reports every problem at once, each naming the offending code and
// what to fix, so a catalogue editor can correct a file in one pass.
//
// Time limits are in working days (行政许可法第八十二条). An item's promised
// limit (承诺时限) may not exceed its legal limit (法定时限); a same-day item
// (即办件) promises 0 days.
package catalogue
