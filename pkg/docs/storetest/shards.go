package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/docsd/docs/pkg/docs"
)

// testShards ties docs.DocumentShards to the migrations, which spell the
// shard count out again in SQL (the rows of document_shard_epoch and the
// modulus of every trigger): a change to either alone fails here, so a
// cache never forgets one shard while the database moves another.
func testShards(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	s := open(t)
	author := mustUser(t, s, "author", docs.RoleMember)

	// moved returns the shards whose epoch differs from before.
	moved := func(before docs.ShardEpochs) (docs.ShardEpochs, []int) {
		t.Helper()
		after := mustShardEpochs(t, s)
		var out []int
		for k := range after.Shards {
			if after.Shards[k] != before.Shards[k] {
				out = append(out, k)
			}
		}
		return after, out
	}
	check := func(what string, id int64, got []int) {
		t.Helper()
		if want := []int{docs.ShardOf(id)}; !slices.Equal(got, want) {
			t.Errorf("%s(%d) moved shards %v; want %v, docs.ShardOf(%d) with docs.DocumentShards = %d", what, id, got, want, id, docs.DocumentShards)
		}
	}

	// Documents until every residue has one and an id has wrapped past the
	// shard count, so a modulus smaller or larger than DocumentShards in
	// any trigger moves some shard other than ShardOf says.
	var list []*docs.Document
	residues := map[int]bool{}
	epochs := mustShardEpochs(t, s)
	for len(residues) < docs.DocumentShards || list[len(list)-1].ID <= docs.DocumentShards+1 {
		if len(list) > 4*docs.DocumentShards {
			t.Fatalf("after %d documents their ids cover %d residues modulo %d; want all", len(list), len(residues), docs.DocumentShards)
		}
		d := mustDocument(t, s, author, fmt.Sprintf("document %d", len(list)))
		var got []int
		epochs, got = moved(epochs)
		check("CreateDocument", d.ID, got)
		residues[docs.ShardOf(d.ID)] = true
		list = append(list, d)
	}

	t.Run("every change moves the shard docs.ShardOf names", func(t *testing.T) {
		for _, d := range list {
			title := "changed"
			if _, err := s.UpdateDocument(ctx, d.ID, docs.DocumentUpdate{Title: &title}, 0, 0, base); err != nil {
				t.Fatalf("UpdateDocument(%d) = %v", d.ID, err)
			}
			var got []int
			epochs, got = moved(epochs)
			check("UpdateDocument", d.ID, got)
		}
		for _, d := range list {
			if err := s.DeleteDocument(ctx, d.ID); err != nil {
				t.Fatalf("DeleteDocument(%d) = %v", d.ID, err)
			}
			var got []int
			epochs, got = moved(epochs)
			check("DeleteDocument", d.ID, got)
		}
	})

}
