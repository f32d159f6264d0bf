#include "status/status_render.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>

namespace frankenetes::status {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const core::SystemTime kNow{std::chrono::seconds(1796219100)};  // 2026-12-02T13:45:00Z

MemberStatus member(std::string name, std::string health, std::string group_read) {
  MemberStatus m;
  m.cluster = "prod";
  m.name = name;
  m.role = std::move(name);
  m.health = std::move(health);
  m.group_read = std::move(group_read);
  return m;
}

// A crash-looping etcd that was restarted and now waits out its back-off, a healthy apiserver
// with a DNS name, and a member nothing is known about yet.
StatusSnapshot sample() {
  StatusSnapshot s;
  s.generated_at = kNow;
  s.build = {"0.1.0", "abc123", "Debug"};
  s.started_at = kNow - 10min;
  s.admin_enabled = true;
  PlanStatus plan;
  plan.budget = {12, 1, false};
  plan.last_full_observation = kNow - 1s;

  MemberStatus etcd = member("etcd", "unhealthy", "found");
  etcd.health_detail = "crash_loop_backoff: container etcd is Waiting";
  etcd.aci_state = "Running";
  etcd.provisioning_state = "Succeeded";
  etcd.ip = "10.0.0.4";
  etcd.containers = {{"etcd", "Waiting", "CrashLoopBackOff: Back-off restarting failed", 7}};
  etcd.probe = {true, false, 12ms, "connect: connection refused", kNow - 2s};
  etcd.rung = 1;
  etcd.backoff_left = 8s;
  etcd.last_action = ActionStatus{"restart", 0, "rung 0 restart: crash_loop_backoff", "succeeded",
                                  "", kNow - 3s, kNow - 2s};
  etcd.skip = SkipStatus{"backoff", "next action allowed in 8s"};
  etcd.etcd = EtcdStatus{true, 5min, "snapshots/prod/etcd/x.db", false, ""};

  MemberStatus api = member("apiserver", "healthy", "found");
  api.aci_state = "Running";
  api.ip = "10.0.0.5";
  api.containers = {{"apiserver", "Running", "", 0}};
  api.probe = {true, true, 3ms, "", kNow - 1s};
  api.dns = DnsStatus{"azure", "cp-apiserver.example.com", true, "in_sync", "", kNow - 90s, false};
  api.paused = true;

  MemberStatus fresh = member("scheduler", "unknown", "never");
  fresh.containers = {{"scheduler", std::nullopt, "", std::nullopt}};
  fresh.probe.configured = true;
  fresh.dns =
      DnsStatus{"bind", "cp-scheduler.example.com", std::nullopt, "", "", std::nullopt, true};
  fresh.etcd = EtcdStatus{true, std::nullopt, "", true, "cluster id changed"};

  plan.clusters.push_back({"prod", {etcd, api, fresh}});
  s.plan = plan;
  s.arm.subscriptions.push_back({"sub-1", 11990, std::nullopt, std::nullopt});
  s.arm.defer_below_reads = 50;
  s.events.push_back({kNow - 3s, "action", "prod", "etcd", "restart", "started", "rung 0"});
  s.events.push_back({kNow - 2s, "skip", "prod", "etcd", "backoff", "", "next action in 8s"});
  return s;
}

const json& find_member(const json& doc, const std::string& name) {
  for (const auto& m : doc.at("clusters").at(0).at("members")) {
    if (m.at("name") == name) return m;
  }
  throw std::runtime_error("no member " + name);
}

TEST(StatusJson, IsVersionedAndCarriesEveryMemberField) {
  const json doc = json::parse(render_status_json(sample()));
  EXPECT_EQ(doc.at("version"), 1);
  EXPECT_EQ(doc.at("generatedAt"), "2026-12-02T13:45:00Z");
  EXPECT_EQ(doc.at("build").at("commit"), "abc123");
  EXPECT_EQ(doc.at("budget").at("used"), 1);
  EXPECT_EQ(doc.at("arm").at("subscriptions").at(0).at("remainingReads"), 11990);
  const json& etcd = find_member(doc, "etcd");
  EXPECT_EQ(etcd.at("health"), "unhealthy");
  EXPECT_EQ(etcd.at("aci").at("containers").at(0).at("restartCount"), 7);
  EXPECT_EQ(etcd.at("probe").at("latencySeconds"), 0.012);
  EXPECT_EQ(etcd.at("ladder").at("backoffLeftSeconds"), 8.0);
  EXPECT_EQ(etcd.at("lastAction").at("kind"), "restart");
  EXPECT_EQ(etcd.at("lastAction").at("result"), "succeeded");
  EXPECT_EQ(etcd.at("skip").at("reason"), "backoff");
  EXPECT_EQ(etcd.at("etcd").at("snapshotAgeSeconds"), 300.0);
  EXPECT_EQ(find_member(doc, "apiserver").at("paused"), true);
  EXPECT_EQ(find_member(doc, "apiserver").at("dns").at("inSync"), true);
  EXPECT_EQ(find_member(doc, "apiserver").at("dns").at("readAt"), "2026-12-02T13:43:30Z");
  EXPECT_EQ(find_member(doc, "apiserver").at("dns").at("readDeferred"), false);
  EXPECT_EQ(find_member(doc, "scheduler").at("dns").at("readDeferred"), true);
  // Newest event first.
  EXPECT_EQ(doc.at("events").at(0).at("kind"), "skip");
  EXPECT_EQ(doc.at("events").at(1).at("outcome"), "started");
}

TEST(StatusJson, UnknownIsNullNeverZero) {
  const json doc = json::parse(render_status_json(sample()));
  const json& fresh = find_member(doc, "scheduler");
  EXPECT_TRUE(fresh.at("aci").at("state").is_null());
  EXPECT_TRUE(fresh.at("aci").at("ip").is_null());
  EXPECT_TRUE(fresh.at("aci").at("containers").at(0).at("restartCount").is_null());
  EXPECT_TRUE(fresh.at("probe").at("success").is_null());
  EXPECT_TRUE(fresh.at("probe").at("latencySeconds").is_null());
  EXPECT_TRUE(fresh.at("dns").at("inSync").is_null());
  EXPECT_TRUE(fresh.at("dns").at("readAt").is_null());
  EXPECT_TRUE(fresh.at("lastAction").is_null());
  EXPECT_TRUE(fresh.at("etcd").at("snapshotAgeSeconds").is_null());
  EXPECT_EQ(fresh.at("etcd").at("dataLossDetected"), true);
  EXPECT_TRUE(doc.at("arm").at("subscriptions").at(0).at("remainingWrites").is_null());
}

TEST(StatusJson, BeforeTheFirstPlanSaysSo) {
  StatusSnapshot s;
  s.generated_at = kNow;
  const json doc = json::parse(render_status_json(s));
  EXPECT_EQ(doc.at("planned"), false);
  EXPECT_TRUE(doc.at("budget").is_null());
  EXPECT_TRUE(doc.at("dryRun").is_null());
  EXPECT_TRUE(doc.at("clusters").empty());
}

// Coordination (issue 13): null without the section; else this replica and, per cluster, what
// it believes of the lease and whether it acts.
TEST(StatusJson, CoordinationSaysWhichClustersThisReplicaActsOn) {
  EXPECT_TRUE(json::parse(render_status_json(sample())).at("coordination").is_null());
  auto s = sample();
  s.coordination = CoordinationStatus{
      .replica = "east-1",
      .clusters = {{"prod", "held_by_us", true}, {"stage", "held_by_others", false}}};
  const json doc = json::parse(render_status_json(s));
  EXPECT_EQ(doc.at("coordination").at("replica"), "east-1");
  EXPECT_EQ(doc.at("coordination").at("clusters").at(1).at("holding"), "held_by_others");
  EXPECT_EQ(doc.at("coordination").at("clusters").at(0).at("mayAct"), true);
  const auto html = render_status_html(s);
  EXPECT_NE(html.find("replica east-1 acts on: prod; standby for: stage (held_by_others)"),
            std::string::npos);
}

TEST(StatusJson, InvalidUtf8FromAPeerDoesNotStopTheRendering) {
  auto s = sample();
  s.plan->clusters[0].members[0].containers[0].detail = "bad \xff byte";
  EXPECT_NO_THROW(json::parse(render_status_json(s)));
}

TEST(StatusHtml, ShowsTheBrokenMemberTheActionAndWhyNothingMore) {
  const std::string html = render_status_html(sample());
  EXPECT_NE(html.find("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"),
            std::string::npos);
  EXPECT_NE(html.find("<meta http-equiv=\"refresh\" content=\"10\">"), std::string::npos);
  EXPECT_NE(html.find("id=\"member-prod-etcd\" class=\"row-unhealthy\""), std::string::npos);
  EXPECT_NE(html.find("<span class=\"action-kind\">restart</span>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"skip-reason\">backoff</span>"), std::string::npos);
  EXPECT_NE(html.find("back-off 8s left"), std::string::npos);
  EXPECT_NE(html.find("restarts 7"), std::string::npos);
  EXPECT_NE(html.find("ARM reads left 11990"), std::string::npos);
  EXPECT_NE(html.find("badge paused"), std::string::npos);
  EXPECT_NE(html.find("data loss detected"), std::string::npos);
  EXPECT_NE(html.find("version 0.1.0 · commit abc123"), std::string::npos);
  EXPECT_NE(html.find(R"(finished <span title="2026-12-02T13:44:58Z">2s ago</span>)"),
            std::string::npos);
}

// Between resyncs a quiet member's records are not read: the page says how old its DNS state
// is, and when a read waits for the read cap.
TEST(StatusHtml, DnsStateSaysWhenItWasRead) {
  const std::string html = render_status_html(sample());
  EXPECT_NE(html.find(R"(records read <span title="2026-12-02T13:43:30Z">)"), std::string::npos)
      << html;
  EXPECT_NE(html.find("DNS read waiting: the read cap is used up"), std::string::npos);
}

TEST(StatusHtml, NeedsAttentionListsWhatIsNotHealthyFirst) {
  const std::string html = render_status_html(sample());
  const auto section = html.find("<section class=\"attention\">");
  ASSERT_NE(section, std::string::npos);
  const std::string attention = html.substr(section, html.find("</section>", section) - section);
  EXPECT_LT(section, html.find("<table class=\"members\">"));
  EXPECT_NE(attention.find(R"(<a href="#member-prod-etcd">prod/etcd</a>)"), std::string::npos);
  EXPECT_NE(attention.find("last action restart succeeded; not doing more: backoff"),
            std::string::npos);
  EXPECT_NE(attention.find("prod/apiserver"), std::string::npos) << "paused";
  EXPECT_NE(attention.find("prod/scheduler"), std::string::npos) << "unknown";

  auto calm = sample();
  calm.plan->clusters[0].members.resize(1);
  calm.plan->clusters[0].members[0].health = "healthy";
  calm.plan->clusters[0].members[0].health_detail.clear();
  EXPECT_NE(render_status_html(calm).find("all members healthy"), std::string::npos);
}

TEST(StatusHtml, NoScriptNoExternalAsset) {
  const std::string html = render_status_html(sample());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
}

TEST(StatusHtml, UnknownReadsUnknownNotZero) {
  const std::string html = render_status_html(sample());
  const auto row = html.find("id=\"member-prod-scheduler\"");
  ASSERT_NE(row, std::string::npos);
  const std::string scheduler = html.substr(row, html.find("</tr>", row) - row);
  EXPECT_NE(scheduler.find("restarts unknown"), std::string::npos) << scheduler;
  EXPECT_NE(scheduler.find("IP unknown"), std::string::npos) << scheduler;
  EXPECT_NE(scheduler.find("<span class=\"aci-state\">unknown</span>"), std::string::npos);
  EXPECT_NE(scheduler.find("age unknown"), std::string::npos);
  EXPECT_EQ(scheduler.find("restarts 0"), std::string::npos);
  EXPECT_EQ(scheduler.find(" 0ms"), std::string::npos);
}

// Every string that can come from Azure, a member or a DNS provider, one at a time.
TEST(StatusHtml, EscapesEveryValueFromOutside) {
  const std::string evil = "<script>alert('x')</script>\"&";
  const std::string escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;";
  const std::vector<std::function<void(StatusSnapshot&)>> injections = {
      [&](StatusSnapshot& s) { s.plan->clusters[0].members[0].containers[0].name = evil; },
      [&](StatusSnapshot& s) { s.plan->clusters[0].members[0].containers[0].state = evil; },
      [&](StatusSnapshot& s) { s.plan->clusters[0].members[0].containers[0].detail = evil; },
      [&](StatusSnapshot& s) { s.plan->clusters[0].members[0].aci_state = evil; },
      [&](StatusSnapshot& s) { s.plan->clusters[0].members[0].provisioning_state = evil; },
      [&](StatusSnapshot& s) { s.plan->clusters[0].members[0].ip = evil; },
      [&](StatusSnapshot& s) { s.plan->clusters[0].members[0].group_error = evil; },
      [&](StatusSnapshot& s) { s.plan->clusters[0].members[0].health_detail = evil; },
      [&](StatusSnapshot& s) { s.plan->clusters[0].members[0].probe.error = evil; },
      [&](StatusSnapshot& s) { s.plan->clusters[0].members[0].last_action->detail = evil; },
      [&](StatusSnapshot& s) { s.plan->clusters[0].members[0].last_action->reason = evil; },
      [&](StatusSnapshot& s) { s.plan->clusters[0].members[0].skip->detail = evil; },
      [&](StatusSnapshot& s) { s.plan->clusters[0].members[1].dns->fqdn = evil; },
      [&](StatusSnapshot& s) {
        s.plan->clusters[0].members[1].dns->skip_reason = "not_owned";
        s.plan->clusters[0].members[1].dns->detail = evil;
      },
      [&](StatusSnapshot& s) { s.plan->clusters[0].members[2].etcd->data_loss = evil; },
      [&](StatusSnapshot& s) { s.plan->observation_error = evil; },
      [&](StatusSnapshot& s) { s.arm.subscriptions[0].subscription = evil; },
      [&](StatusSnapshot& s) { s.events[0].detail = evil; },
      [&](StatusSnapshot& s) { s.events[0].what = evil; },
      [&](StatusSnapshot& s) { s.build.commit = evil; },
  };
  for (std::size_t i = 0; i < injections.size(); ++i) {
    auto s = sample();
    injections[i](s);
    const std::string html = render_status_html(s);
    EXPECT_EQ(html.find("<script>"), std::string::npos) << "injection " << i;
    EXPECT_EQ(html.find(evil), std::string::npos) << "injection " << i;
  }
  auto s = sample();
  s.plan->clusters[0].members[0].containers[0].name = evil;
  EXPECT_NE(render_status_html(s).find(escaped), std::string::npos);
}

TEST(StatusHtml, BeforeTheFirstPlanItSaysWhatItIsWaitingFor) {
  StatusSnapshot s;
  s.generated_at = kNow;
  const std::string html = render_status_html(s);
  EXPECT_NE(html.find("no plan yet"), std::string::npos);
  EXPECT_NE(html.find("ARM read budget unknown"), std::string::npos);
  EXPECT_NE(html.find("started unknown"), std::string::npos);
}

// Found by fuzz/fuzz_status_page (UBSan): "how long ago" subtracted time points in
// nanoseconds, which overflowed for times centuries apart and read as a time in the future.
TEST(StatusHtml, AgesOfTimesCenturiesApartDoNotOverflow) {
  StatusSnapshot s;
  s.generated_at = core::SystemTime::max();
  s.events.push_back({core::SystemTime::min(), "admin", "", "", "paused", "", ""});
  const std::string page = render_status_html(s);
  EXPECT_NE(page.find("<span title=\"1677-09-21T00:12:43Z\">5124095h34m33s ago</span>"),
            std::string::npos)
      << page;
}

TEST(HtmlEscape, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(html_escape(R"(a<b>&"c'd)"), "a&lt;b&gt;&amp;&quot;c&#39;d");
  EXPECT_EQ(html_escape("plain"), "plain");
}

TEST(FormatAge, MillisecondsBelowASecondElseSeconds) {
  EXPECT_EQ(format_age(12ms), "12ms");
  EXPECT_EQ(format_age(90500ms), "1m30s");
}

}  // namespace
}  // namespace frankenetes::status
