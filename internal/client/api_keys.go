package client

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

const apiKeysPath = "/v1/api-keys"

// ListAPIKeysOptions filters ListAPIKeys. Zero fields do not filter.
type ListAPIKeysOptions struct {
	// Name matches the key name exactly.
	Name string
	// NamePrefix matches the start of the key name.
	NamePrefix string
	// Scope keeps the keys whose scopes list it.
	Scope string
	// Status is one of apiv1.KeyStatus*.
	Status string
	// IDs restricts the result to these key ids.
	IDs []string
	// Limit stops the listing after this many keys (0 = all).
	Limit int
}

// CreateAPIKey creates an API key (POST /v1/api-keys). The returned key holds
// the secret only when the server generated it.
func (c *Client) CreateAPIKey(ctx context.Context, req apiv1.CreateAPIKeyRequest) (*apiv1.APIKey, error) {
	return send[apiv1.APIKey](ctx, c, http.MethodPost, apiKeysPath, req)
}

// GetAPIKey returns one API key (GET /v1/api-keys/{id}); revoked keys are
// returned with status "revoked", unknown ids yield ErrNotFound.
func (c *Client) GetAPIKey(ctx context.Context, id string) (*apiv1.APIKey, error) {
	return sendTo[apiv1.APIKey](ctx, c, http.MethodGet, apiKeysPath, id, nil)
}

// RefreshAPIKey returns the same as GetAPIKey, coalesced with other reads of
// API keys (see refresh.go): for Terraform's refresh of many keys.
func (c *Client) RefreshAPIKey(ctx context.Context, id string) (*apiv1.APIKey, error) {
	return c.apiKeys.read(ctx, id)
}

// ListAPIKeys returns every API key matching opts (GET /v1/api-keys),
// following next_cursor to the last page or to opts.Limit keys.
func (c *Client) ListAPIKeys(ctx context.Context, opts ListAPIKeysOptions) ([]apiv1.APIKey, error) {
	q := url.Values{}
	setIf(q, "name", opts.Name)
	setIf(q, "name_prefix", opts.NamePrefix)
	setIf(q, "scope", opts.Scope)
	setIf(q, "status", opts.Status)
	setIf(q, "ids", strings.Join(opts.IDs, ","))
	return listAll[apiv1.APIKey](ctx, c, apiKeysPath, q, opts.Limit)
}

// UpdateAPIKey applies a merge patch to an API key (PATCH /v1/api-keys/{id}).
func (c *Client) UpdateAPIKey(ctx context.Context, id string, req apiv1.UpdateAPIKeyRequest) (*apiv1.APIKey, error) {
	return sendTo[apiv1.APIKey](ctx, c, http.MethodPatch, apiKeysPath, id, req)
}

// RotateAPIKey gives an API key a new secret (POST /v1/api-keys/{id}/rotate).
// The returned key holds the new secret only when the server generated it.
func (c *Client) RotateAPIKey(ctx context.Context, id string, req apiv1.RotateAPIKeyRequest) (*apiv1.APIKey, error) {
	return sendTo[apiv1.APIKey](ctx, c, http.MethodPost, apiKeysPath, id, req, "rotate")
}

// RevokeAPIKey revokes an API key (DELETE /v1/api-keys/{id}). A key that is
// unknown or already revoked yields ErrNotFound.
func (c *Client) RevokeAPIKey(ctx context.Context, id string) error {
	return deleteObject(ctx, c, apiKeysPath, id)
}

// GetAPIKeyUsage returns the requests made with an API key per route over
// window, a whole number of hours ("" for the server's default of 24h) (GET
// /v1/api-keys/{id}/usage). Unknown ids yield ErrNotFound.
func (c *Client) GetAPIKeyUsage(ctx context.Context, id, window string) (*apiv1.APIKeyUsage, error) {
	path, err := objectPath(apiKeysPath, id, "usage")
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	setIf(q, "window", window)
	var usage apiv1.APIKeyUsage
	if err := c.do(ctx, http.MethodGet, path, q, nil, &usage); err != nil {
		return nil, err
	}
	return &usage, nil
}
