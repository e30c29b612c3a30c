package provider

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// Address is the provider's source address, as Terraform configurations
// name it.
const Address = "registry.terraform.io/keymate/keymate"

// NewServer returns the constructor of the protocol 6 server that main serves
// (with tf6server.Serve) and the acceptance tests run: the framework's server
// behind releasingServer.
func NewServer(version string) func() (tfprotov6.ProviderServer, error) {
	return newServer(New(version)())
}

func newServer(p provider.Provider) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		server, err := providerserver.NewProtocol6WithError(p)()
		if err != nil {
			return nil, err
		}
		fw, ok := server.(frameworkServer)
		if !ok {
			return nil, fmt.Errorf("the framework's server, a %T, lacks list resources or actions", server)
		}
		return releasingServer{fw}, nil
	}
}

// frameworkServer is what the framework's server implements and tf6server
// asks for: list resources and actions beside the provider's RPCs.
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
}

// releasingServer is the framework's server, except that the context each
// per-object RPC hands to it is released when the RPC returns.
//
// The framework keeps every RPC's context until the provider is stopped:
// its protocol server derives a cancellable context from each request's and
// appends the cancel function to a list that only StopProvider empties
// (proto6server.Server.registerContext, terraform-plugin-framework v1.19).
// Each context holds the request's loggers and fields and the gRPC stream,
// about 14 KiB, so a plan of 1000 objects (four RPCs each) kept some 58 MiB
// alive to its end: the provider's peak RSS was twice that, and every
// garbage collection marked it again. A released context holds nothing, so
// the framework keeps only a few hundred bytes per RPC.
//
// Only RPCs that run once per object and return no stream are wrapped; the
// others (list resources and actions stream after they return) pass through.
type releasingServer struct{ frameworkServer }

func (s releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateResourceConfig)
}

func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return released(ctx, req, s.frameworkServer.UpgradeResourceState)
}

func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return released(ctx, req, s.frameworkServer.ReadResource)
}

func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return released(ctx, req, s.frameworkServer.PlanResourceChange)
}

func (s releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return released(ctx, req, s.frameworkServer.ApplyResourceChange)
}

func (s releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return released(ctx, req, s.frameworkServer.ImportResourceState)
}

func (s releasingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateDataResourceConfig)
}

func (s releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return released(ctx, req, s.frameworkServer.ReadDataSource)
}

// released calls rpc with a context that is ctx until rpc returns, and
// then releases it.
func released[Req, Resp any](ctx context.Context, req Req, rpc func(context.Context, Req) (Resp, error)) (Resp, error) {
	c := &releasableContext{}
	c.ctx.Store(&ctx)
	defer c.ctx.Store(nil)
	return rpc(c, req)
}

// releasableContext is its context until released, and after that a
// cancelled context with no values: whatever still holds it (the framework's
// list of cancel functions, a goroutine that outlived its RPC) sees an RPC
// that has ended, and keeps nothing of it alive.
type releasableContext struct {
	ctx atomic.Pointer[context.Context]
}

// endedContext is a released context's: cancelled, with no values.
var endedContext = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

func (c *releasableContext) current() context.Context {
	if ctx := c.ctx.Load(); ctx != nil {
		return *ctx
	}
	return endedContext
}

func (c *releasableContext) Deadline() (time.Time, bool) { return c.current().Deadline() }
func (c *releasableContext) Done() <-chan struct{}       { return c.current().Done() }
func (c *releasableContext) Err() error                  { return c.current().Err() }
func (c *releasableContext) Value(key any) any           { return c.current().Value(key) }
