#pragma once
// Structured log events: a stable dotted event name plus key=value fields,
// rendered as text (`dns.record.updated fqdn=a.example.com old=1.2.3.4 new=5.6.7.8`) or as one
// JSON object per line. Formatting is pure (format_event) and tested; emit() hands the line to
// spdlog. Secrets cannot be logged by accident: a Field built from core::Secret renders as
// "<redacted>".

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/secret.h"

namespace frankenetes::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError, kCritical, kOff };
enum class Format { kText, kJson };

struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, const core::Secret&) : key(k), value("<redacted>") {}
  Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}
  Field(std::string_view k, int v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, long v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, long long v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, unsigned v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, unsigned long v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, unsigned long long v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, double v);

  std::string key;
  std::string value;
};

// The message part of a log line (time and level are added by the sink):
//   text: `event k1=v1 k2="v with spaces"`
//   json: `"event":"event","k1":"v1"` (the sink wraps it into {"time":…,"level":…,…}).
std::string format_event(Format format, std::string_view event, std::initializer_list<Field> fields);

// Configures the process-wide sink (stderr): level and format. Safe to call again on reload.
void configure(Level level, Format format);

void emit(Level level, std::string_view event, std::initializer_list<Field> fields = {});

inline void trace(std::string_view e, std::initializer_list<Field> f = {}) { emit(Level::kTrace, e, f); }
inline void debug(std::string_view e, std::initializer_list<Field> f = {}) { emit(Level::kDebug, e, f); }
inline void info(std::string_view e, std::initializer_list<Field> f = {}) { emit(Level::kInfo, e, f); }
inline void warn(std::string_view e, std::initializer_list<Field> f = {}) { emit(Level::kWarn, e, f); }
inline void error(std::string_view e, std::initializer_list<Field> f = {}) { emit(Level::kError, e, f); }

}  // namespace frankenetes::log
