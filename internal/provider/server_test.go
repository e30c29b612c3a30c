package provider

import (
	"context"
	"errors"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// capturing is a framework server whose ReadResource keeps the context it
// was given, as the framework's own server does, and reports what that
// context held during the call.
type capturing struct {
	frameworkServer // nil: only ReadResource is called
	kept            context.Context
	valueDuring     any
	derived         context.Context
	cancelDerived   context.CancelFunc
}

type testKey struct{}

func (c *capturing) ReadResource(ctx context.Context, _ *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	c.kept = ctx
	c.valueDuring = ctx.Value(testKey{})
	// Derived during the call and never cancelled by the framework, as
	// registerContext's are.
	c.derived, c.cancelDerived = context.WithCancel(ctx)
	return &tfprotov6.ReadResourceResponse{}, nil
}

// TestReleasingServerReleasesEachRPCsContext proves that the context a
// wrapped RPC hands to the framework is the request's while the RPC runs
// (its values, its cancellation, which reaches contexts derived from it)
// and afterwards holds nothing of it: ended, with no values, so that the
// framework's list of every RPC's cancel function keeps no request alive.
func TestReleasingServerReleasesEachRPCsContext(t *testing.T) {
	fw := &capturing{}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), testKey{}, "request"))
	defer cancel()
	if _, err := (releasingServer{fw}).ReadResource(ctx, &tfprotov6.ReadResourceRequest{}); err != nil {
		t.Fatal(err)
	}
	if fw.valueDuring != "request" {
		t.Errorf("during the RPC the context held %v, want the request's value", fw.valueDuring)
	}
	if v := fw.kept.Value(testKey{}); v != nil {
		t.Errorf("after the RPC the kept context still holds %v", v)
	}
	if err := fw.kept.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("after the RPC the kept context's Err is %v, want context.Canceled", err)
	}
	defer fw.cancelDerived()
	if err := fw.derived.Err(); err != nil {
		t.Fatalf("a context derived during the RPC ended before its request: %v", err)
	}
	cancel()            // the request ends, as gRPC ends each stream
	<-fw.derived.Done() // so does the derived context (the test would hang otherwise)
}

// TestNewServerServesTheFrameworksListResourcesAndActions proves that the
// wrapper still offers what tf6server looks for beside the provider's RPCs.
func TestNewServerServesTheFrameworksListResourcesAndActions(t *testing.T) {
	server, err := NewServer("test")()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := server.(tfprotov6.ListResourceServer); !ok {
		t.Error("the server offers no list resources")
	}
	if _, ok := server.(tfprotov6.ActionServer); !ok {
		t.Error("the server offers no actions")
	}
}
