#pragma once
// The two faces of a StatusSnapshot (status/status_snapshot.h), as pure functions the admin
// router serves and tests call directly:
//   GET /status  render_status_json: {"version": 1, …}, for scripts and dashboards. Unknown
//                values are null, never 0; times are RFC 3339 UTC, durations seconds.
//   GET /        render_status_html: one page for the on-call person, server-rendered with
//                inline CSS and no script or external asset, a viewport for phones (the
//                member table turns into cards on narrow screens) and a 10 s meta refresh.
//                Unknown values read "unknown"; every string is HTML-escaped, since most of
//                them came from Azure or from what a member answered.
// Events come newest first in both.

#include <string>
#include <string_view>

#include "status/status_snapshot.h"

namespace frankenetes::status {

std::string render_status_json(const StatusSnapshot& snapshot);
std::string render_status_html(const StatusSnapshot& snapshot);

inline constexpr const char* kStatusJsonContentType = "application/json";
inline constexpr const char* kStatusHtmlContentType = "text/html; charset=utf-8";

// &, <, >, " and ' as character references: safe in element content and quoted attributes.
std::string html_escape(std::string_view text);

// "350ms" under a second, else whole seconds as core::format_duration spells them ("1m30s").
std::string format_age(core::Duration d);

}  // namespace frankenetes::status
