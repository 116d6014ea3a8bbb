package postgres

// SetSearchWalk sets how many of the newest documents a search reads
// first, for the suite to take the capped statement too, and returns what
// puts it back.
func SetSearchWalk(n int) (restore func()) {
	old := searchWalk
	searchWalk = n
	return func() { searchWalk = old }
}
