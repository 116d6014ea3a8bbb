// Package suggest finds the known name closest to a misspelt one, so an
// error about an unknown key can say which key was probably meant.
package suggest

// Nearest returns the candidate with the smallest edit distance to word,
// the first such in candidates on a tie; "" when there are none.
func Nearest(word string, candidates []string) string {
	best, bestScore := "", -1
	for _, c := range candidates {
		if d := Distance(word, c); bestScore < 0 || d < bestScore {
			best, bestScore = c, d
		}
	}
	return best
}

// Distance is the Levenshtein distance between a and b, in bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
