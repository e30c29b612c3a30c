package server_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
	"github.com/keymate/terraform-provider-keymate/internal/server/servertest"
)

// TestEveryListTakesIDs proves that the ids parameter of each kind's list
// returns exactly the named objects that exist (an unknown id is left out,
// not an error), newest first, and that more than apiv1.MaxListIDs ids is a
// 422 naming the parameter. The client reads many objects with one request
// this way.
func TestEveryListTakesIDs(t *testing.T) {
	inst := servertest.Start(t)
	kinds := []struct {
		path   string
		create func(i int) string // creates one object and returns its id
	}{
		{"/v1/api-keys", func(i int) string {
			return createKey(t, inst, apiv1.CreateAPIKeyRequest{Name: fmt.Sprintf("k%d", i), Scopes: []string{"keys:read"}}).ID
		}},
		{"/v1/notification-channels", func(i int) string {
			return createChannel(t, inst, fmt.Sprintf(`{"name":"c%d","type":"email","email":{"addresses":["ops@example.com"]}}`, i)).ID
		}},
		{"/v1/alert-rules", func(i int) string {
			return createRule(t, inst, apiv1.CreateAlertRuleRequest{Name: fmt.Sprintf("r%d", i), Severity: apiv1.SeverityInfo,
				Metric: apiv1.MetricAPIErrorRate, Condition: apiv1.AlertCondition{Operator: apiv1.OperatorGTE, Threshold: 0.5, Window: "5m"}}).ID
		}},
		{"/v1/access-grants", func(i int) string {
			return createGrant(t, inst, apiv1.CreateAccessGrantRequest{Principal: apiv1.Principal{Type: "user", ID: fmt.Sprintf("u%d", i)},
				Role: "viewer", Resource: "*"}).ID
		}},
		{"/v1/backup-schedules", func(i int) string {
			return createSchedule(t, inst, fmt.Sprintf(`{"name":"s%d","cron":"0 3 * * *"}`, i)).ID
		}},
	}
	for _, k := range kinds {
		t.Run(strings.TrimPrefix(k.path, "/v1/"), func(t *testing.T) {
			var ids []string
			for i := range 4 {
				ids = append(ids, k.create(i))
			}
			type object struct{ ID string }
			resp, body := call(t, inst.URL, http.MethodGet, k.path+"?ids="+ids[0]+",missing_1,"+ids[2]+",", inst.AdminKey, "")
			mustStatus(t, resp, body, http.StatusOK)
			var got []string
			for _, o := range decode[struct{ Data []object }](t, body).Data {
				got = append(got, o.ID)
			}
			if want := []string{ids[2], ids[0]}; !slices.Equal(got, want) {
				t.Errorf("ids=%s,missing_1,%s listed %v, want %v (the named objects that exist, newest first)", ids[0], ids[2], got, want)
			}

			tooMany := strings.Repeat("x,", apiv1.MaxListIDs) + "y"
			resp, body = call(t, inst.URL, http.MethodGet, k.path+"?ids="+tooMany, inst.AdminKey, "")
			mustStatus(t, resp, body, http.StatusUnprocessableEntity)
			if paths := fieldPaths(t, body); !slices.Equal(paths, []string{"ids"}) {
				t.Errorf("%d ids: field errors %v, want [ids]", apiv1.MaxListIDs+1, paths)
			}
		})
	}
}
