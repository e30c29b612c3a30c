package server

import (
	"context"
	"errors"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/ratelimit"
	"github.com/keymate/terraform-provider-keymate/internal/server/secret"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// authenticated admits requests that carry a valid API key holding scope, and
// that the key's rate limit allows, to next. A client address that presented
// too many refused secrets is answered 429 before its secret is looked at, so
// that guessing learns nothing while it waits.
func (s *Server) authenticated(scope string, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := stateFrom(r.Context())
		presented, hasSecret := bearerToken(r.Header.Get("Authorization"))
		client := s.clientAddress(r)
		if hasSecret {
			if d := s.authFailures.Check(client); !d.Allowed {
				st.throttled = true
				tooManyRequests(w, r, d.RetryAfter, "too many refused API keys from this client address")
				return
			}
		}
		caller, err := s.authenticate(r.Context(), presented, hasSecret)
		if err != nil {
			var apiErr *apiError
			if !errors.As(err, &apiErr) {
				s.internalError(w, r, err)
				return
			}
			if hasSecret {
				s.authFailures.Allow(client)
			}
			st.authFailure = true
			w.Header().Set("WWW-Authenticate", `Bearer realm="keymate"`)
			writeError(w, r, apiErr)
			return
		}
		st.caller = &caller

		decision := s.limiter.Allow(caller.ID)
		setRateLimitHeaders(w, decision)
		if !decision.Allowed {
			st.throttled = true
			tooManyRequests(w, r, decision.RetryAfter, "rate limit exceeded")
			return
		}
		st.scope = scope // needed, whether or not the key holds it (usage.go)
		if !apiv1.HoldsScope(caller.Scopes, scope) {
			// Every route's pattern starts with its method ("GET /v1/...").
			writeError(w, r, errForbidden("the API key lacks the %q scope required by %s", scope, r.Pattern))
			return
		}
		next(w, r)
	})
}

// tooManyRequests answers 429 with Retry-After, in whole seconds (at least
// one), and says why.
func tooManyRequests(w http.ResponseWriter, r *http.Request, retryAfter time.Duration, why string) {
	seconds := max(int(math.Ceil(retryAfter.Seconds())), 1)
	w.Header().Set(apiv1.HeaderRetryAfter, strconv.Itoa(seconds))
	writeError(w, r, &apiError{status: http.StatusTooManyRequests, code: apiv1.CodeRateLimited,
		message: why + "; retry after the number of seconds in Retry-After"})
}

// clientAddress names the client of r for the failed authentication limit:
// its IP address as the connection shows it or, when the connection comes
// from a trusted proxy (Config.TrustedProxies), as the proxies saw it: each
// proxy appends to X-Forwarded-For the address it was connected from, so
// the rightmost address there that is not a trusted proxy's is the client's
// (what a client put further left is its own say, and ignored). An entry
// that is not an address (with or without a port) ends the walk at the last
// proxy known. For IPv6
// the client is its /64 network, which one client typically holds whole.
func (s *Server) clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if s.trusted(ip) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, ok := forwardedAddr(strings.TrimSpace(hops[i]))
			if !ok {
				break
			}
			if ip = hop.Unmap(); !s.trusted(ip) {
				break
			}
		}
	}
	if ip.Is6() {
		return netip.PrefixFrom(ip, 64).Masked().String()
	}
	return ip.String()
}

// forwardedAddr parses an X-Forwarded-For entry: an address, or an address
// and port as some load balancers write it ("192.0.2.7:5555", "[2001:db8::1]:443").
func forwardedAddr(entry string) (netip.Addr, bool) {
	if ip, err := netip.ParseAddr(entry); err == nil {
		return ip, true
	}
	if ap, err := netip.ParseAddrPort(entry); err == nil {
		return ap.Addr(), true
	}
	return netip.Addr{}, false
}

// trusted reports whether ip is a trusted proxy's.
func (s *Server) trusted(ip netip.Addr) bool {
	for _, p := range s.trustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// authenticate finds the key whose current secret, or previous secret within
// its grace period, is presented (hasSecret false: none was). Failures are
// 401 apiErrors.
func (s *Server) authenticate(ctx context.Context, presented string, hasSecret bool) (store.APIKey, error) {
	if !hasSecret {
		return store.APIKey{}, errUnauthorized("missing API key: send Authorization: Bearer <secret>")
	}
	hash := secret.Hash(presented)
	key, err := s.store.FindAPIKeyBySecretHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return store.APIKey{}, errUnauthorized("the API key is not recognised")
	}
	if err != nil {
		return store.APIKey{}, err
	}
	now := s.clock.Now()
	switch {
	case secret.Equal(hash, key.SecretHash):
	case key.PreviousSecretExpiresAt != nil && secret.Equal(hash, key.PreviousSecretHash):
		if !now.Before(*key.PreviousSecretExpiresAt) {
			return store.APIKey{}, errUnauthorized("the API key secret was rotated and its grace period has ended")
		}
	default:
		return store.APIKey{}, errUnauthorized("the API key is not recognised")
	}
	switch key.Status(now) {
	case apiv1.KeyStatusRevoked:
		return store.APIKey{}, errUnauthorized("the API key has been revoked")
	case apiv1.KeyStatusExpired:
		return store.APIKey{}, errUnauthorized("the API key has expired")
	}
	return key, nil
}

// bearerToken extracts the token of an "Authorization: Bearer <token>" header.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func setRateLimitHeaders(w http.ResponseWriter, d ratelimit.Decision) {
	h := w.Header()
	h.Set(apiv1.HeaderRateLimitLimit, strconv.Itoa(d.Limit))
	h.Set(apiv1.HeaderRateLimitRemaining, strconv.Itoa(d.Remaining))
	h.Set(apiv1.HeaderRateLimitReset, strconv.FormatInt(int64(math.Ceil(float64(d.Reset.UnixNano())/1e9)), 10))
}

// checkGrantable returns a 403 error naming the first scope in scopes that
// the caller does not hold.
func checkGrantable(callerScopes, scopes []string, what string) error {
	for _, s := range scopes {
		if !apiv1.HoldsScope(callerScopes, s) {
			return errForbidden("the API key lacks the %q scope, so it cannot %s", s, what)
		}
	}
	return nil
}
