package client

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

const idempotentCreatesPath = "/v1/idempotent-creates"

// IdempotentCreate returns which object of collection (one of
// apiv1.Collections) this client's API key created with a POST carrying
// idempotencyKey (GET /v1/idempotent-creates/{collection}/{key}), such as
// the key of an *UnconfirmedError; ErrNotFound when it created none that
// still exists.
func (c *Client) IdempotentCreate(ctx context.Context, collection, idempotencyKey string) (*apiv1.IdempotentCreate, error) {
	if !slices.Contains(apiv1.Collections, collection) {
		return nil, fmt.Errorf("idempotent create: unknown collection %q; use one of %s", collection, strings.Join(apiv1.Collections, ", "))
	}
	return sendTo[apiv1.IdempotentCreate](ctx, c, http.MethodGet, idempotentCreatesPath+"/"+collection, idempotencyKey, nil)
}
