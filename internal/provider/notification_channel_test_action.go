package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/keymate/terraform-provider-keymate/internal/apiv1"
)

var (
	_ action.Action              = (*notificationChannelTestAction)(nil)
	_ action.ActionWithConfigure = (*notificationChannelTestAction)(nil)
)

func newNotificationChannelTestAction() action.Action {
	return &notificationChannelTestAction{actionBase{typeName: "notification_channel_test"}}
}

type notificationChannelTestAction struct{ actionBase }

type notificationChannelTestActionModel struct {
	ID types.String `tfsdk:"id"`
}

func (a *notificationChannelTestAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Sends a test notification through a Keymate notification channel and waits for its delivery, as " +
			"the security guide asks (\"test alert systems\"): a webhook receives a signed `POST` with `" + apiv1.HeaderEvent +
			": test`, Slack and PagerDuty a test message, email a test mail. The server tries up to 3 times; the action fails, " +
			"naming the receiver's answer, when the notification is not delivered. The channel itself is not changed, so no plan " +
			"changes; the channel's last test result is in the `keymate_notification_channel` data source." +
			fmt.Sprintf(actionNote, "keymate_notification_channel_test"),
		Attributes: map[string]schema.Attribute{
			"id": idAttribute(notificationChannels),
		},
	}
}

func (a *notificationChannelTestAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg notificationChannelTestActionModel
	if !a.config(ctx, req, resp, &cfg) {
		return
	}
	id := cfg.ID.ValueString()
	progress(resp, "Sending a test notification through Keymate notification channel %s", id)
	res, err := a.data.client.TestNotificationChannel(ctx, id)
	if err != nil {
		resp.Diagnostics.Append(notificationChannels.op("test").diagnostics(err, nil)...)
		return
	}
	if res.Status != apiv1.TestStatusSucceeded {
		resp.Diagnostics.AddError(fmt.Sprintf("Test notification through Keymate notification channel %s failed", id),
			fmt.Sprintf("The test notification was not delivered after %d attempt(s): %s\n\nFix the receiver or the channel's settings "+
				"and run the action again.", res.Attempts, res.Error))
		return
	}
	answer := ""
	if res.HTTPStatus != 0 {
		answer = fmt.Sprintf(", HTTP %d", res.HTTPStatus)
	}
	progress(resp, "Delivered the test notification through %s after %d attempt(s) (%d ms%s)", id, res.Attempts, res.LatencyMS, answer)
}
