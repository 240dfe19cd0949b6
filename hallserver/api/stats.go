package api

// Stats is the answer to GET /api/v1/stats: a hall's figures over the
// days From to To (Shanghai days, inclusive), per period and, when By is
// set, per department, item, window or staff member. Counts are exact;
// rates and means are rounded (rates and shares to 4 decimals, days to 2,
// seconds to whole seconds) and null when there is nothing to divide by.
type Stats struct {
	From   string `json:"from"`   // YYYY-MM-DD
	To     string `json:"to"`     // YYYY-MM-DD
	Period string `json:"period"` // day, week (ISO 8601) or month
	By     string `json:"by"`     // department, item, window, staff; "" for the whole hall
	// Provisional: some working days were counted on a holiday calendar
	// that is missing or provisional; the figures may change when the
	// year's State Council notice is imported.
	Provisional bool         `json:"provisional"`
	Rows        []StatsRow   `json:"rows"`
	Total       StatsFigures `json:"total"` // the whole range, every row together
}

// StatsRow is one period's figures, for one department, item, window or
// staff member when the query has a dimension.
type StatsRow struct {
	Period string `json:"period"` // 2026-03-02, 2026-W10 or 2026-03
	Start  string `json:"start"`  // the period's first day within the range
	End    string `json:"end"`    // its last day within the range
	Key    string `json:"key"`    // department or item code, window number, username; "" for none
	Name   string `json:"name"`   // its name in the hall
	StatsFigures
}

// StatsFigures are the figures of a row or of the whole range.
type StatsFigures struct {
	Applications ApplicationStats `json:"applications"`
	Tickets      TicketStats      `json:"tickets"`
	Ratings      RatingStats      `json:"ratings"`
}

// ApplicationStats are the figures of applications (办件): accepted by
// the day of acceptance; everything else by the day of completion.
type ApplicationStats struct {
	Accepted  int `json:"accepted"`  // 受理
	Completed int `json:"completed"` // 办结, any outcome
	SameDay   int `json:"same_day"`  // completed on the day of acceptance (当场办结)
	// SameDayRate is the 即办率: same_day / completed.
	SameDayRate *float64 `json:"same_day_rate"`
	// Early, OnTime and Overdue split the completed ones by the promised
	// limit (承诺时限) on the working-day clock: completed before its last
	// day, on it, after it.
	Early   int `json:"early"`
	OnTime  int `json:"on_time"`
	Overdue int `json:"overdue"`
	// AvgUsedDays is the mean of working days used (from the day after
	// acceptance to completion, 补正 restarts and suspensions applied).
	AvgUsedDays *float64 `json:"avg_used_days"`
	// AvgLegalShare is the mean of working days used / legal limit (法定时限,
	// without extensions): 0.1 is "10 % of the legal limit".
	AvgLegalShare *float64 `json:"avg_legal_share"`
}

// TicketStats are the figures of queue tickets, by service day.
type TicketStats struct {
	Issued    int `json:"issued"`
	Served    int `json:"served"`
	NoShow    int `json:"no_show"`
	Cancelled int `json:"cancelled"`
	Called    int `json:"called"` // called at least once: the waits are theirs
	// Waits run from issue to the first call.
	AvgWaitSeconds     *int `json:"avg_wait_seconds"`
	LongestWaitSeconds *int `json:"longest_wait_seconds"`
	// AvgServiceSeconds: from the start of the last service to the finish.
	AvgServiceSeconds *int `json:"avg_service_seconds"`
}

// RatingStats are the figures of current ratings (好差评), by the day given.
type RatingStats struct {
	Count              int `json:"count"`
	VerySatisfied      int `json:"very_satisfied"`      // 5 非常满意
	Satisfied          int `json:"satisfied"`           // 4 满意
	BasicallySatisfied int `json:"basically_satisfied"` // 3 基本满意
	Dissatisfied       int `json:"dissatisfied"`        // 2 不满意
	VeryDissatisfied   int `json:"very_dissatisfied"`   // 1 非常不满意
	// SatisfactionRate is (非常满意 + 满意 + 基本满意) / count: the share
	// of ratings that are not 差评.
	SatisfactionRate *float64 `json:"satisfaction_rate"`
}
