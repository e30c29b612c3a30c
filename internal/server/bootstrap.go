package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// Bootstrap key identity.
const (
	bootstrapKeyName    = "bootstrap-admin"
	bootstrapActorKeyID = "system"
	bootstrapRequestID  = "bootstrap"
)

// bootstrap creates an admin key when no active one exists, so that a new
// server can be administered. The key's secret is supplied (configured) or
// generated, in which case GeneratedAdminSecret returns it. When a key that
// is not revoked already has the name bootstrap-admin (for example one whose
// admin scope was removed), the new key's name gets its id as a suffix.
func (s *Server) bootstrap(ctx context.Context, supplied string) error {
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		s.generatedAdminSecret = "" // a run before this one (on PostgreSQL) may have lost to another server's
		// Servers starting at once on one PostgreSQL database take turns, so
		// that each sees the admin key the one before it created.
		if err := tx.LockObject(ctx, bootstrapKeyName); err != nil {
			return err
		}
		now := s.clock.Now()
		exists, err := tx.HasActiveAdminKey(ctx, now)
		if err != nil || exists {
			return err
		}
		name := bootstrapKeyName
		if taken, err := tx.NameInUse(ctx, name, ""); err != nil {
			return err
		} else if taken {
			name += "-" + newID("")[1:9]
		}
		req := apiv1.CreateAPIKeyRequest{Name: name, Description: "Created at first start to administer Keymate.",
			Scopes: []string{apiv1.ScopeAdmin}}
		if supplied != "" {
			req.Secret = &supplied
		}
		spec, err := validateCreateKey(req, valuesAt("name", "description", "scopes"), now)
		if err != nil {
			return err
		}
		key, generated, err := newAPIKey(ctx, tx, spec, now)
		if err == nil {
			err = tx.InsertAPIKey(ctx, &key)
		}
		if err != nil {
			return err
		}
		s.generatedAdminSecret = generated
		return s.recordAudit(ctx, tx, bootstrapActorKeyID, bootstrapRequestID, storedKeys.ref(&key), "create", keyCreatedFields(spec))
	})
	var apiErr *apiError
	if errors.As(err, &apiErr) {
		return fmt.Errorf("creating the bootstrap admin key from KEYMATE_BOOTSTRAP_API_KEY: %s", apiErr.message)
	}
	if err != nil {
		return fmt.Errorf("creating the bootstrap admin key: %w", err)
	}
	return nil
}

// sealingKeyCheck names the server setting that holds a value sealed with
// the sealing key of the servers of the database.
const sealingKeyCheck = "sealing_key_check"

// checkSealingKey refuses to start a server whose sealing key differs from
// the one the database's secrets are sealed with (another server's, on a
// shared database): it could not open them. The first server to start
// records a value sealed with its key.
func (s *Server) checkSealingKey(ctx context.Context) error {
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		sealed, err := tx.GetSetting(ctx, sealingKeyCheck)
		if errors.Is(err, store.ErrNotFound) {
			var mine []byte
			if mine, err = s.sealer.Seal([]byte(sealingKeyCheck)); err != nil {
				return err
			}
			if err = tx.AddSetting(ctx, sealingKeyCheck, mine); err != nil {
				return err
			}
			sealed, err = tx.GetSetting(ctx, sealingKeyCheck) // a server starting at once may have added its own
		}
		if err != nil {
			return err
		}
		if _, err := s.sealer.Open(sealed); err != nil {
			return errors.New("the sealing key in the data directory (sealing.key) is not the one this database's secrets are sealed with: " +
				"every server of one database needs a copy of the same sealing.key")
		}
		return nil
	})
}
