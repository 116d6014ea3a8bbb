// Package sqlstore is what docsd's SQL stores (pkg/sqlite, pkg/postgres)
// share that is not dialect: the steps of a setting's first write, the
// reading of goose's answers and of rows, the shard epochs' checks and the
// time encoding. Each store keeps its own statements, built around the
// column lists the readers here name, and its own error wrapping.
package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/docsd/docs/pkg/docs"
)

// Setting returns the value stored under a key, creating it with create()
// when absent, as docs.Backend.Setting promises: read reports whether the
// key was found; insert must leave a value already there alone (ON
// CONFLICT DO NOTHING), so that concurrent callers, in one process or
// several, all read the value stored first.
func Setting(ctx context.Context, read func(ctx context.Context) (string, bool, error), insert func(ctx context.Context, v string) error, create func() (string, error)) (string, error) {
	v, ok, err := read(ctx)
	if err != nil || ok {
		return v, err
	}
	nv, err := create()
	if err != nil {
		return "", err
	}
	if err := insert(ctx, nv); err != nil {
		return "", err
	}
	v, ok, err = read(ctx)
	if err == nil && !ok {
		err = errors.New("the setting stored is gone")
	}
	return v, err
}

// Applied returns the migrations goose applied.
func Applied(res []*goose.MigrationResult) []docs.Migration {
	out := make([]docs.Migration, 0, len(res))
	for _, r := range res {
		out = append(out, docs.Migration{Version: r.Source.Version, Name: r.Source.Path, Applied: true})
	}
	return out
}

// Status returns every migration goose knows and whether it is applied.
func Status(st []*goose.MigrationStatus) []docs.Migration {
	out := make([]docs.Migration, 0, len(st))
	for _, s := range st {
		out = append(out, docs.Migration{
			Version:   s.Source.Version,
			Name:      s.Source.Path,
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		})
	}
	return out
}

// Shard checks a shard number read from document_shard_epoch against
// docs.DocumentShards, which the migrations spell out again in SQL.
func Shard(k int64) (int, error) {
	if k < 0 || k >= docs.DocumentShards {
		return 0, fmt.Errorf("shard %d; want 0 to %d", k, docs.DocumentShards-1)
	}
	return int(k), nil
}

// ShardCount checks how many shards document_shard_epoch holds.
func ShardCount(n int) error {
	if n != docs.DocumentShards {
		return fmt.Errorf("%d shards; want %d", n, docs.DocumentShards)
	}
	return nil
}

// Micros is how both stores keep a time: microseconds since the epoch.
func Micros(t time.Time) int64 { return t.UnixMicro() }

// FromMicros is the UTC time of microseconds since the epoch.
func FromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// MicrosOrZero is Micros for a time that may be unset, such as a token's
// expiry or last use: the zero time is kept as 0.
func MicrosOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return Micros(t)
}

// FromMicrosOrZero reads what MicrosOrZero keeps: 0 is the zero time.
func FromMicrosOrZero(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return FromMicros(us)
}
