// render_status_html: the on-call page. What matters at 3 a.m. comes first and in colour:
// which member is broken, what the daemon did about it and why it is not doing more. Every
// value goes through html_escape() (most came from Azure or a member's answer); there is no
// script, no external asset, and nothing but the snapshot decides what is on the page.

#include <chrono>

#include "core/duration.h"
#include "core/timestamps.h"
#include "status/status_render.h"

namespace frankenetes::status {
namespace {

constexpr std::string_view kUnknown = "unknown";

// Dark text on light tints, a table that becomes one card per member under 760 px.
constexpr std::string_view kStyle = R"(
body{font:15px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:12px;color:#1b1f24;background:#f6f7f9}
h1{font-size:1.3em;margin:0 0 4px}h2{font-size:1.1em;margin:18px 0 6px}
.meta{color:#555;font-size:.9em;margin:0 0 8px}
.badge{display:inline-block;padding:1px 7px;border-radius:9px;font-size:.85em;font-weight:600;background:#e4e7eb}
.healthy{background:#d8f3dc}.unhealthy{background:#ffd6d6}.unknown{background:#fff1c2}
.paused{background:#d6e4ff}.warn{background:#ffe3c2}
.summary{display:flex;flex-wrap:wrap;gap:8px}.summary div{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:6px 10px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #dde1e6;padding:5px 7px;text-align:left;vertical-align:top}
th{background:#eef0f3;font-size:.85em}
tr.row-unhealthy td:first-child{border-left:5px solid #d62828}
tr.row-unknown td:first-child{border-left:5px solid #e9b300}
tr.row-healthy td:first-child{border-left:5px solid #2a9d55}
.detail{color:#555;font-size:.85em;word-break:break-word}
ul.plain{margin:0;padding-left:0;list-style:none}
@media (max-width:760px){
 table.members thead{display:none}
 table.members tr{display:block;margin:0 0 10px;border:1px solid #dde1e6;border-radius:6px;background:#fff}
 table.members td{display:block;border:none;border-top:1px solid #eef0f3}
 table.members td::before{content:attr(data-label);display:block;font-size:.75em;color:#666;text-transform:uppercase}
 table.members tr.row-healthy td:nth-child(n+3):not(:nth-child(5)){display:none}
 table.events thead{display:none}
 table.events tr{display:block;border-bottom:1px solid #dde1e6;padding:4px 6px}
 table.events td{display:inline;border:none;padding:0 6px 0 0}
 table.events td.detail{display:block}
}
.attention ul{margin:0;padding-left:18px}.attention li{margin:3px 0}
)";

std::string esc(std::string_view text) { return html_escape(text); }

std::string badge(std::string_view text, std::string_view css_class) {
  return "<span class=\"badge " + esc(css_class) + "\">" + esc(text) + "</span>";
}

std::string time_text(const std::optional<core::SystemTime>& t) {
  return t ? esc(core::format_iso8601(*t)) : std::string(kUnknown);
}

// "12s ago" as of the snapshot, with the UTC time on hover: what on-call reads first is how
// long ago, and the page is regenerated every refresh.
std::string ago(core::SystemTime t, core::SystemTime now) {
  const auto iso = esc(core::format_iso8601(t));
  // In milliseconds before subtracting: two time points centuries apart (a peer's date) are
  // further apart than SystemTime's nanoseconds can count, and now - t would overflow.
  const auto d = std::chrono::floor<core::Duration>(now) - std::chrono::floor<core::Duration>(t);
  std::string text;
  if (d < std::chrono::seconds(1)) {
    text = d < core::Duration(0) ? "at " + iso : "just now";
  } else {
    text = esc(format_age(d)) + " ago";
  }
  return "<span title=\"" + iso + "\">" + text + "</span>";
}

std::string or_unknown(const std::optional<std::string>& value) {
  return value && !value->empty() ? esc(*value) : std::string(kUnknown);
}

std::string yes_no_unknown(const std::optional<bool>& value, std::string_view yes,
                           std::string_view no) {
  if (!value) return badge(kUnknown, "unknown");
  return *value ? badge(yes, "healthy") : badge(no, "unhealthy");
}

std::string detail(std::string_view text) {
  return text.empty() ? std::string() : "<div class=\"detail\">" + esc(text) + "</div>";
}

std::string cell(std::string_view label, const std::string& html) {
  return "<td data-label=\"" + esc(label) + "\">" + html + "</td>";
}

std::string member_cell(const MemberStatus& m) {
  std::string out = "<strong class=\"member-name\">" + esc(m.name) + "</strong> " +
                    "<span class=\"detail\">" + esc(m.role) + "</span>";
  if (m.paused) out += " " + badge("paused", "paused");
  if (m.needs_person) out += " " + badge("needs a person", "unhealthy");
  return out;
}

std::string health_cell(const MemberStatus& m) {
  return "<span class=\"health\">" + badge(m.health, m.health) + "</span>" +
         detail(m.health_detail);
}

std::string aci_cell(const MemberStatus& m, core::SystemTime now) {
  std::string out;
  if (m.group_read == "not_found") {
    out = badge("not found", "unhealthy");
  } else {
    out = "<span class=\"aci-state\">" + or_unknown(m.aci_state) + "</span>";
    if (m.provisioning_state && *m.provisioning_state != "Succeeded") {
      out += " (" + esc(*m.provisioning_state) + ")";
    }
  }
  if (!m.group_error.empty()) out += detail("read failed: " + m.group_error);
  if (m.observed_at) out += "<div class=\"detail\">read " + ago(*m.observed_at, now) + "</div>";
  return out;
}

std::string containers_cell(const MemberStatus& m) {
  if (m.containers.empty()) return std::string(kUnknown);
  std::string out = "<ul class=\"plain\">";
  for (const auto& c : m.containers) {
    out += "<li><span class=\"container\">" + esc(c.name) + "</span>: " + or_unknown(c.state);
    out += ", restarts " +
           (c.restart_count ? std::to_string(*c.restart_count) : std::string(kUnknown));
    out += detail(c.detail) + "</li>";
  }
  return out + "</ul>";
}

std::string address_cell(const MemberStatus& m, core::SystemTime now) {
  std::string out = "IP " + or_unknown(m.ip);
  if (!m.dns) return out + detail("no DNS name configured");
  out += "<br><span class=\"fqdn\">" + esc(m.dns->fqdn) + "</span> " +
         yes_no_unknown(m.dns->in_sync, "in sync", "out of sync");
  if (!m.dns->skip_reason.empty() && m.dns->skip_reason != "in_sync") {
    out += detail("DNS: " + m.dns->skip_reason + (m.dns->detail.empty() ? "" : ": " + m.dns->detail));
  }
  // The DNS state is as of the last read: between resyncs a quiet member is not read.
  if (m.dns->read_at)
    out += "<div class=\"detail\">records read " + ago(*m.dns->read_at, now) + "</div>";
  if (m.dns->read_deferred) out += detail("DNS read waiting: the read cap is used up");
  return out;
}

std::string probe_cell(const ProbeStatus& p, core::SystemTime now) {
  if (!p.configured) return "no probe";
  std::string out = yes_no_unknown(p.success, "ok", "failing");
  out += " " + (p.latency ? esc(format_age(*p.latency)) : std::string(kUnknown));
  if (p.at) out += " " + ago(*p.at, now);
  out += detail(p.error);
  return out;
}

std::string ladder_cell(const MemberStatus& m) {
  std::string out = "rung " + std::to_string(m.rung);
  if (m.backoff_left) out += "<br>back-off " + esc(format_age(*m.backoff_left)) + " left";
  if (m.gave_up) out += "<br>" + badge("gave up", "unhealthy");
  return out;
}

std::string action_cell(const MemberStatus& m, core::SystemTime now) {
  if (!m.last_action) return "none";
  const auto& a = *m.last_action;
  const bool bad = a.result != "succeeded" && a.result != "running" && a.result != "dry_run";
  std::string out = "<span class=\"action-kind\">" + esc(a.kind) + "</span> " +
                    badge(a.result, bad ? "unhealthy" : (a.result == "running" ? "warn" : "healthy"));
  if (a.finished_at) {
    out += "<div class=\"detail\">finished " + ago(*a.finished_at, now) + "</div>";
  } else if (a.started_at) {
    out += "<div class=\"detail\">started " + ago(*a.started_at, now) + "</div>";
  }
  out += detail(a.reason);
  if (!a.detail.empty()) out += detail("result: " + a.detail);
  return out;
}

std::string skip_cell(const MemberStatus& m) {
  if (!m.skip) return m.health == "healthy" ? "—" : "acting";
  return "<span class=\"skip-reason\">" + esc(m.skip->reason) + "</span>" + detail(m.skip->detail);
}

std::string etcd_cell(const MemberStatus& m) {
  if (!m.etcd) return "—";
  const auto& e = *m.etcd;
  std::string out;
  if (!e.snapshots_enabled) {
    out = "snapshots off";
  } else {
    out = "snapshot " + (e.snapshot_age ? esc(format_age(*e.snapshot_age)) + " old"
                                        : std::string("age unknown (none known)"));
  }
  if (e.data_at_risk) out += "<br>" + badge("data at risk", "unhealthy");
  if (!e.data_loss.empty()) out += "<br>" + badge("data loss detected", "unhealthy") + detail(e.data_loss);
  return out;
}

void render_cluster(std::string& out, const ClusterStatus& c, core::SystemTime now) {
  out += "<h2>Cluster " + esc(c.name) + "</h2>\n<table class=\"members\"><thead><tr>"
         "<th>Member</th><th>Health</th><th>ACI</th><th>Containers</th><th>Address</th>"
         "<th>Probe</th><th>Ladder</th><th>Last action</th><th>Not doing more because</th>"
         "<th>etcd data</th></tr></thead><tbody>\n";
  for (const auto& m : c.members) {
    out += "<tr id=\"member-" + esc(c.name) + "-" + esc(m.name) + "\" class=\"row-" +
           esc(m.health) + "\" data-health=\"" + esc(m.health) + "\">";
    out += cell("Member", member_cell(m)) + cell("Health", health_cell(m)) +
           cell("ACI", aci_cell(m, now)) + cell("Containers", containers_cell(m)) +
           cell("Address", address_cell(m, now)) + cell("Probe", probe_cell(m.probe, now)) +
           cell("Ladder", ladder_cell(m)) + cell("Last action", action_cell(m, now)) +
           cell("Not doing more because", skip_cell(m)) + cell("etcd data", etcd_cell(m));
    out += "</tr>\n";
  }
  out += "</tbody></table>\n";
}

std::string arm_text(const ArmStatus& arm) {
  if (arm.subscriptions.empty()) return "ARM read budget unknown (no answer from ARM yet)";
  std::string out;
  for (const auto& s : arm.subscriptions) {
    if (!out.empty()) out += "; ";
    out += "ARM reads left " +
           (s.remaining_reads ? std::to_string(*s.remaining_reads) : std::string(kUnknown)) +
           ", writes left " +
           (s.remaining_writes ? std::to_string(*s.remaining_writes) : std::string(kUnknown));
    if (s.throttled_for) out += ", throttled for " + format_age(*s.throttled_for);
  }
  if (arm.defer_below_reads) {
    out += " (healthy groups are read less below " + std::to_string(*arm.defer_below_reads) + ")";
  }
  return esc(out);
}

// What needs a look, first: every member that is not healthy, is paused or lost data, with
// what was done and why nothing more is (the table below has the rest).
void render_attention(std::string& out, const PlanStatus& plan) {
  std::string items;
  for (const auto& c : plan.clusters) {
    for (const auto& m : c.members) {
      const bool data_loss = m.etcd && !m.etcd->data_loss.empty();
      if (m.health == "healthy" && !m.paused && !m.needs_person && !data_loss) continue;
      items += "<li><a href=\"#member-" + esc(c.name) + "-" + esc(m.name) + "\">" +
               esc(c.name + "/" + m.name) + "</a> " + badge(m.health, m.health);
      if (m.paused) items += " " + badge("paused", "paused");
      if (data_loss) items += " " + badge("data loss detected", "unhealthy");
      if (!m.health_detail.empty()) items += " " + esc(m.health_detail);
      if (m.last_action) {
        items += "; last action " + esc(m.last_action->kind) + " " + esc(m.last_action->result);
      }
      if (m.skip) items += "; not doing more: " + esc(m.skip->reason);
      items += "</li>";
    }
  }
  out += "<section class=\"attention\"><h2>Needs attention</h2>";
  out += items.empty() ? "<p>" + badge("all members healthy", "healthy") + "</p>"
                       : "<ul>" + items + "</ul>";
  out += "</section>\n";
}

void render_summary(std::string& out, const StatusSnapshot& s) {
  out += "<section class=\"summary\">";
  if (!s.plan) {
    out += "<div>" + badge("waiting", "unknown") + " no plan yet: the first observation is running</div>";
  } else {
    const auto& p = *s.plan;
    out += "<div>observation " +
           (p.observation_error.empty() ? badge("ok", "healthy") : badge("failing", "unhealthy")) +
           " last full " + time_text(p.last_full_observation) + detail(p.observation_error) + "</div>";
    out += "<div>actions this hour " + std::to_string(p.budget.used) + " of " +
           std::to_string(p.budget.limit) +
           (p.budget.exhausted ? " " + badge("budget exhausted", "unhealthy") : std::string()) +
           "</div>";
    if (p.dry_run) out += "<div>" + badge("dry run: nothing is changed", "warn") + "</div>";
  }
  out += "<div class=\"arm\">" + arm_text(s.arm) + "</div>";
  if (s.coordination) {
    std::string ours;
    std::string others;
    for (const auto& c : s.coordination->clusters) {
      auto& list = c.may_act ? ours : others;
      list += (list.empty() ? "" : ", ") + esc(c.cluster) +
              (c.may_act ? "" : " (" + esc(c.holding) + ")");
    }
    out += "<div>replica " + esc(s.coordination->replica) +
           " acts on: " + (ours.empty() ? "none" : ours) +
           "; standby for: " + (others.empty() ? "none" : others) + "</div>";
  }
  out += "<div>admin API " + std::string(s.admin_enabled ? "on" : "off") + "</div>";
  out += "</section>\n";
}

void render_events(std::string& out, const std::vector<StatusEvent>& events,
                   core::SystemTime now) {
  out += "<h2>Recent events</h2>\n";
  if (events.empty()) {
    out += "<p class=\"meta\">none yet</p>\n";
    return;
  }
  out += "<table class=\"events\"><thead><tr><th>Time</th><th>Kind</th><th>Member</th>"
         "<th>What</th><th>Outcome</th><th>Detail</th></tr></thead><tbody>\n";
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    const std::string who = it->cluster.empty() ? "—" : it->cluster + "/" + it->member;
    out += "<tr class=\"event\"><td>" + ago(it->at, now) + "</td><td>" +
           esc(it->kind) + "</td><td>" + esc(who) + "</td><td>" + esc(it->what) + "</td><td>" +
           esc(it->outcome) + "</td><td class=\"detail\">" + esc(it->detail) + "</td></tr>\n";
  }
  out += "</tbody></table>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_age(core::Duration d) {
  if (d < std::chrono::seconds(1)) return std::to_string(d.count()) + "ms";
  return core::format_duration(std::chrono::duration_cast<std::chrono::seconds>(d));
}

std::string render_status_html(const StatusSnapshot& s) {
  std::string out;
  out.reserve(16 * 1024);
  out += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<meta http-equiv=\"refresh\" content=\"10\">"
         "<title>frankenetesd status</title><style>";
  out += kStyle;
  out += "</style></head><body>\n<header><h1>frankenetesd</h1><p class=\"meta\">version " +
         esc(s.build.version) + " · commit " + esc(s.build.commit) + " · " +
         esc(s.build.build_type) + " · started " + time_text(s.started_at) + " · as of " +
         esc(core::format_iso8601(s.generated_at)) + "</p></header>\n";
  render_summary(out, s);
  if (s.plan) {
    render_attention(out, *s.plan);
    for (const auto& c : s.plan->clusters) render_cluster(out, c, s.generated_at);
  }
  render_events(out, s.events, s.generated_at);
  out += "<p class=\"meta\">Refreshes every 10 s. JSON: <a href=\"/status\">/status</a> · "
         "<a href=\"/metrics\">/metrics</a> · <a href=\"/readyz?verbose\">/readyz</a></p>\n"
         "</body></html>\n";
  return out;
}

}  // namespace frankenetes::status
