// Command sqltime times one SQL statement on a docsd database, with the
// drivers docsd itself uses, so the SQLite it measures is docsd's (the
// sqlite3 of a distribution may be too old to open the search tables):
//
//	sqltime sqlite|pgx DSN SQL
//
// It runs the statement once to warm the caches, then three times, reading
// every row, and prints the median wall time in milliseconds.
package main

import (
	"database/sql"
	"fmt"
	"os"
	"slices"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: sqltime sqlite|pgx DSN SQL")
		os.Exit(2)
	}
	ms, err := run(os.Args[1], os.Args[2], os.Args[3])
	if err != nil {
		fmt.Fprintln(os.Stderr, "sqltime:", err)
		os.Exit(1)
	}
	fmt.Printf("%.0f\n", ms)
}

func run(driver, dsn, query string) (float64, error) {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var times []float64
	for i := range 4 {
		t0 := time.Now()
		if err := readAll(db, query); err != nil {
			return 0, err
		}
		if i > 0 {
			times = append(times, float64(time.Since(t0).Microseconds())/1000)
		}
	}
	slices.Sort(times)
	return times[1], nil
}

func readAll(db *sql.DB, query string) error {
	rows, err := db.Query(query) //nolint:gosec // running the SQL given on the command line is what this tool is for
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	dest := make([]any, len(cols))
	for i := range dest {
		dest[i] = new(any)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
	}
	return rows.Err()
}
