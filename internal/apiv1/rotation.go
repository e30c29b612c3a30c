package apiv1

import "time"

// The rotation rule of API keys, used by the server (the key's
// next_rotation_at, the compliance report's KM-KEY-001, the alert metric
// keys.rotation_overdue) and by the provider (planning a rotation, the data
// source's rotation_overdue), so that all of them agree to the instant.

// NextRotationAt is when a key last rotated at rotatedAt, every rotationDays
// days, is next due for rotation.
func NextRotationAt(rotatedAt time.Time, rotationDays int64) time.Time {
	return rotatedAt.Add(time.Duration(rotationDays) * 24 * time.Hour)
}

// RotationOverdue reports whether a key due for rotation at nextRotationAt is
// overdue at now: from that very instant on.
func RotationOverdue(nextRotationAt, now time.Time) bool {
	return !now.Before(nextRotationAt)
}
