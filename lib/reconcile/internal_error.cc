#include "reconcile/internal_error.h"

#include <exception>

#include "log/event.h"

namespace frankenetes::reconcile {
namespace {

// what() texts can quote peer data (a JSON excerpt, a header): keep log lines short.
constexpr std::size_t kMaxWhat = 300;

std::string bounded(std::string text) {
  if (text.size() > kMaxWhat) {
    text.resize(kMaxWhat);
    text += "...";
  }
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text;
}

}  // namespace

std::string current_exception_text() {
  if (!std::current_exception()) return "no exception in flight";
  try {
    throw;
  } catch (const std::exception& e) {
    return bounded(e.what());
  } catch (...) {
    return "an exception not derived from std::exception";
  }
}

void report_internal_error(const InternalErrorHandler& handler, const std::string& component,
                           const std::string& what, std::string_view action) noexcept {
  try {
    log::error("internal.error", {{"component", component}, {"what", what}, {"action", action}});
  } catch (...) {
    // Logging itself failed (out of memory): the counter below may still work.
  }
  if (!handler) return;
  try {
    handler(component, what);
  } catch (...) {
    // A failing handler must not turn a contained error into a lost thread.
  }
}

}  // namespace frankenetes::reconcile
