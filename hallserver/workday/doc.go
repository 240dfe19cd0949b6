// Package workday is OneStop's working-day clock: which days are working
// days in mainland China, how many working days lie between two dates, and
// how much of an application's (办件) time limits is used and left.
//
// # Calendar
//
// A [Calendar] holds one [YearCalendar] per year, each the State Council's
// holiday notice (国务院办公厅关于某年部分节假日安排的通知) as data: the
// holidays' spans of days off and the weekend days worked instead (调休上班).
// The files ship embedded (assets/holidays/2026.json, …; see [Default]); a
// year whose notice is not out yet ships "provisional" with only the
// statutory days of 《全国年节及纪念日放假办法》. When the notice is
// published an administrator imports it ([Calendar.Import]), which replaces
// that year and reports which dates changed. Calendars are immutable, so
// one can be shared by goroutines and swapped atomically on import.
//
// A date is a working day when it is Monday to Friday and not a listed
// holiday, or a Saturday or Sunday listed as a working day. A year with no
// calendar at all counts weekends only; [Calendar.Day] reports such dates as
// not covered and [Calendar.Provisional] flags counts that touch them.
//
// # Counting
//
// Time limits follow the Administrative Licensing Law (行政许可法): they
// are in working days, excluding statutory holidays (第八十二条), and, as
// for every period in days (民法典第二百零一条), the day a period starts on
// is not counted: counting starts the next day. So AddWorkdays(start, n)
// ([Calendar.AddWorkdays]) is the n-th working day after start, and
// WorkdaysBetween(a, b) ([Calendar.WorkdaysBetween]) counts the working
// days in (a, b]. The two agree: WorkdaysBetween(a, AddWorkdays(a, n)) == n.
//
// # The application clock
//
// [Calendar.Clock] reads an application's clock at a given time. It is a
// pure function of the acceptance time, the legal limit (法定时限) and the
// promised limit (承诺时限) in working days, and the clock events so far:
//
//   - Days used are the working days from the day after acceptance up to and
//     including today: a working day counts as used as soon as it begins.
//     This matches the electronic supervision systems (电子监察), whose
//     deadline is the end of the limit-th working day after acceptance: on
//     the deadline day the days left are 0 ("due today"), and from the next
//     day on, weekend or not, the application is overdue. Counting a begun
//     day as used errs towards warning early, never late.
//   - 补正 (missing materials): [PauseStart] when the materials are
//     requested stops the clock; [Restart] when they arrive starts it again
//     from zero, counting from the day after they arrived. The day of the
//     request was begun, so it counts (until the restart wipes the count).
//   - [Suspend] … [Resume]: hearings, testing, expert review and the like
//     (行政许可法第四十五条). Working days after the suspension day up to and
//     including the resumption day are not counted; the suspension day itself
//     was begun and counts, and the resumption day is treated like an
//     acceptance day: counting resumes the day after.
//   - [Extend] adds working days to the legal limit (e.g. 20 + 10 with the
//     approval of the head of the agency, 第四十二条) and, only when the
//     event says so, to the promised limit.
//
// The warning is [Red] once the promised deadline day has ended while the
// clock was running (the application is overdue), [Yellow] when the
// promised days left are at most [Policy].YellowDays or at most
// [Policy].YellowFraction of the promised limit (default: 1 day or 20 %),
// and [NoWarning] otherwise; OverLegal is the same test against the legal
// deadline. An instant item (即办件, promised 0 days) is due on the
// acceptance day: no warning that day, red from the next day on.
//
// While the clock is stopped, deadlines are projections: for a suspension,
// as if it resumed today; for 补正, as if the materials arrived today, when
// the full limits start again. No yellow is raised while materials are
// awaited (the applicant holds the file and the limits will restart), but a
// red reached before the request stays.
//
// Counts that reach into a year with no calendar, or a provisional one,
// use what is known (weekends, statutory days) and are flagged:
// [Status].Provisional, [Calendar.Provisional]. A provisional year lacks
// the long holidays' bridging days off and 补假 but also their 调休 working
// weekends, so near those holidays its deadlines may be a few days off
// either way until the notice is imported.
package workday
