#pragma once
// Task boundaries (failures are contained): the places where an exception that escaped a
// unit of work is caught — a WorkerPool job, a ThreadScheduler task, a DnsSynchronizer job —
// so that one bug in one member's work ends neither its thread nor the process. Errors are
// values inside the loop; an exception reaching a boundary is a bug, and what
// that work would have concluded is unknown, never assumed.
//
// The boundary logs `internal.error component=<c> what=<what()> action=<what happens next>`
// and calls an optional InternalErrorHandler; the daemon's handler counts
// frankenetes_internal_errors_total{component} (daemon/work_threads.cc). Components form a
// small fixed set: worker:<pool name>, scheduler, dns_sync, http_server.

#include <functional>
#include <string>
#include <string_view>

namespace frankenetes::reconcile {

using InternalErrorHandler =
    std::function<void(const std::string& component, const std::string& what)>;

// Only inside a catch block: what() of the exception in flight, bounded in length with control
// characters replaced, or a fixed text for exceptions not derived from std::exception.
std::string current_exception_text();

// Logs internal.error and calls `handler` when set. Never throws: it runs where nothing
// above would catch.
void report_internal_error(const InternalErrorHandler& handler, const std::string& component,
                           const std::string& what, std::string_view action) noexcept;

}  // namespace frankenetes::reconcile
