package store

import (
	"context"
	"fmt"
)

// GetSetting returns the value of the server setting name, or ErrNotFound.
func (tx *Tx) GetSetting(ctx context.Context, name string) ([]byte, error) {
	return queryOne(ctx, tx.tx, "reading server setting "+name, func(row scanner) ([]byte, error) {
		var v []byte
		return v, row.Scan(&v)
	}, `SELECT value FROM server_settings WHERE name = ?`, name)
}

// AddSetting sets the server setting name to value unless it is set (by a
// server starting at the same time, say): the first value stays.
func (tx *Tx) AddSetting(ctx context.Context, name string, value []byte) error {
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO server_settings (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO NOTHING`, name, value); err != nil {
		return fmt.Errorf("writing server setting %s: %w", name, err)
	}
	return nil
}
