package queue

import "time"

// AgeOn returns how old, in whole years, a person born on birth's date
// (its year, month and day as written, whatever its zone) is on the
// service day of now, in Location. A person born on 29 February turns a
// year older on 1 March in other years. It is negative for a birth date
// after that day.
func AgeOn(birth, now time.Time) int {
	by, bm, bd := birth.Date()
	ny, nm, nd := now.In(Location).Date()
	age := ny - by
	if nm < bm || (nm == bm && nd < bd) {
		age--
	}
	return age
}

// ElderlyPriority reports whether a person born on birth gets the
// elderly priority at now under the hall's elderly_priority_age setting
// minAge (0 turns the priority off): they do from the day they turn
// minAge. A zero birth date (unknown) never does.
func ElderlyPriority(minAge int, birth, now time.Time) bool {
	return minAge > 0 && !birth.IsZero() && AgeOn(birth, now) >= minAge
}
