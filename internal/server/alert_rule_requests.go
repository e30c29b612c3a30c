package server

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/store"
)

// maxRuleChannels bounds an alert rule's notification channels.
const maxRuleChannels = 20

// validateAlertRule checks a create (creating) or update request, merges it
// into rule and returns the sorted names of the fields whose value changed.
// Both carry the fields of apiv1.CreateAlertRuleRequest (an update only some
// of them); null is the same as absent. Whether the channel ids exist is
// checked later, against the store.
func validateAlertRule(b apiv1.CreateAlertRuleRequest, in presence, creating bool, rule *store.AlertRule) ([]string, error) {
	var f fieldErrors
	var changed []string
	given := func(path string) bool {
		if creating {
			return f.required(in, path)
		}
		return in.value(path)
	}
	if given("name") {
		f.checkText("name", b.Name, apiv1.NameRule)
		track(&changed, "name", b.Name != rule.Name)
		rule.Name = b.Name
	}
	if in.value("description") {
		f.checkText("description", b.Description, apiv1.DescriptionRule)
		track(&changed, "description", b.Description != rule.Description)
		rule.Description = b.Description
	}
	if b.Enabled != nil {
		track(&changed, "enabled", *b.Enabled != rule.Enabled)
		rule.Enabled = *b.Enabled
	}
	if given("severity") {
		f.checkOneOf("severity", b.Severity, apiv1.Severities)
		track(&changed, "severity", b.Severity != rule.Severity)
		rule.Severity = b.Severity
	}
	if given("metric") {
		f.checkOneOf("metric", b.Metric, apiv1.Metrics())
		track(&changed, "metric", b.Metric != rule.Metric)
		rule.Metric = b.Metric
	}
	if given("condition") {
		c := b.Condition
		if given("condition.operator") {
			f.checkOneOf("condition.operator", c.Operator, apiv1.Operators)
			track(&changed, "condition.operator", c.Operator != rule.Operator)
			rule.Operator = c.Operator
		}
		if given("condition.threshold") {
			track(&changed, "condition.threshold", c.Threshold != rule.Threshold)
			rule.Threshold = c.Threshold
		}
		if given("condition.window") {
			d := f.parseAlertDuration("condition.window", c.Window)
			track(&changed, "condition.window", d != rule.Window)
			rule.Window = d
		}
	}
	f.checkThreshold(rule.Metric, rule.Threshold) // the metric may have changed
	if b.RenotifyInterval != nil {
		var d time.Duration
		if *b.RenotifyInterval != "" {
			d = f.parseAlertDuration("renotify_interval", *b.RenotifyInterval)
		}
		track(&changed, "renotify_interval", d != rule.RenotifyInterval)
		rule.RenotifyInterval = d
	}
	if in.value("labels") {
		f.checkLabels(b.Labels)
		track(&changed, "labels", !maps.Equal(b.Labels, rule.Labels))
		rule.Labels = b.Labels
	}
	if in.value("notification_channel_ids") {
		ids := f.checkChannelIDs(b.NotificationChannelIDs)
		track(&changed, "notification_channel_ids", !slices.Equal(ids, rule.ChannelIDs))
		rule.ChannelIDs = ids
	}
	if rule.Labels == nil {
		rule.Labels = map[string]string{}
	}
	if rule.Severity == apiv1.SeverityCritical && len(rule.ChannelIDs) == 0 && len(f) == 0 {
		f.add("notification_channel_ids", "must name at least one notification channel for a critical rule")
	}
	slices.Sort(changed)
	return changed, f.err()
}

// parseAlertDuration reads a window or renotify interval.
func (f *fieldErrors) parseAlertDuration(path, s string) time.Duration {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		f.add(path, "must be a duration such as \"5m\" or \"1h\", got %q", s)
	case d < apiv1.MinAlertDuration || d > apiv1.MaxAlertDuration:
		f.add(path, "must be between %s and %s, got %q", apiv1.MinAlertDuration, apiv1.MaxAlertDuration, s)
	}
	return d
}

func (f *fieldErrors) checkThreshold(metric string, threshold float64) {
	switch {
	case math.IsNaN(threshold) || math.IsInf(threshold, 0) || threshold < 0:
		f.add("condition.threshold", "must be 0 or more, got %v", threshold)
	case metric == apiv1.MetricAPIErrorRate && threshold > 1:
		f.add("condition.threshold", "must be at most 1 for %s (a fraction of requests), got %v", metric, threshold)
	}
}

func (f *fieldErrors) checkLabels(labels map[string]string) {
	if len(labels) > apiv1.MaxLabels {
		f.add("labels", "must hold at most %d labels, got %d", apiv1.MaxLabels, len(labels))
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := apiv1.LabelKeyRule.Check(k); err != nil {
			f.add("labels."+k, "the label key %v", err)
			continue
		}
		f.checkText("labels."+k, labels[k], apiv1.LabelValueRule)
	}
}

// checkChannelIDs validates a set of channel ids and returns it sorted.
func (f *fieldErrors) checkChannelIDs(ids []string) []string {
	if len(ids) > maxRuleChannels {
		f.add("notification_channel_ids", "must hold at most %d channels, got %d", maxRuleChannels, len(ids))
	}
	seen := map[string]bool{}
	for i, id := range ids {
		if seen[id] {
			f.add(fmt.Sprintf("notification_channel_ids[%d]", i), "duplicate channel id %q", id)
		}
		seen[id] = true
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	return slices.Compact(sorted)
}
