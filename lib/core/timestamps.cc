#include "core/timestamps.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

namespace frankenetes::core {
namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant, "chrono-compatible
// low-level date algorithms", days_from_civil): avoids timegm() and the process's TZ.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at `pos`.
bool read_digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

// A date and time of day as read from the text, not validated yet.
struct CivilTime {
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
};

// The time of day as both formats write it: "HH:MM:SS" at `pos`.
bool read_time_of_day(std::string_view s, std::size_t& pos, CivilTime& t) {
  return read_digits(s, pos, 2, t.hour) && expect(s, pos, ':') &&
         read_digits(s, pos, 2, t.minute) && expect(s, pos, ':') &&
         read_digits(s, pos, 2, t.second);
}

// Seconds since the epoch of a validated civil date-time (no overflow: |years| <= 9999).
std::optional<std::int64_t> make_seconds(const CivilTime& t, std::int64_t offset_seconds) {
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > days_in_month(t.year, t.month)) {
    return std::nullopt;
  }
  // Second 60 is a leap second; POSIX time has none, so it folds onto the next second.
  if (t.hour > 23 || t.minute > 59 || t.second > 60) return std::nullopt;
  const std::int64_t days =
      days_from_civil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
  return days * 86400 + std::int64_t{t.hour} * 3600 + std::int64_t{t.minute} * 60 + t.second -
         offset_seconds;
}

// nullopt for a time SystemTime cannot hold: converting it would overflow (undefined
// behaviour), and a saturated value would pass for a real one.
std::optional<core::SystemTime> to_system_time(std::int64_t secs, std::int64_t nanos) {
  using Rep = core::SystemTime::duration;
  constexpr auto kMaxSeconds =
      std::chrono::duration_cast<std::chrono::seconds>(Rep::max()).count() - 1;
  constexpr auto kMinSeconds =
      std::chrono::duration_cast<std::chrono::seconds>(Rep::min()).count() + 1;
  if (secs > kMaxSeconds || secs < kMinSeconds) return std::nullopt;
  const auto since_epoch = std::chrono::seconds(secs) + std::chrono::nanoseconds(nanos);
  return core::SystemTime(std::chrono::duration_cast<Rep>(since_epoch));
}

std::optional<core::SystemTime> make_time(const CivilTime& t, std::int64_t nanos,
                                          std::int64_t offset_seconds) {
  const auto secs = make_seconds(t, offset_seconds);
  if (!secs) return std::nullopt;
  return to_system_time(*secs, nanos);
}

// The UTC calendar fields of `t`, truncated to the second, and its weekday (0 = Sunday).
struct UtcFields {
  CivilTime time;
  unsigned weekday = 0;
};

UtcFields utc_fields(core::SystemTime t) {
  using namespace std::chrono;
  // In seconds before days: near the ends of SystemTime's range (nanoseconds in 64 bits), the
  // midnight before `t` is not representable in nanoseconds, and t - midnight would overflow.
  const auto whole = floor<seconds>(t);
  const auto midnight = floor<days>(whole);
  const year_month_day date{midnight};
  const hh_mm_ss hms{whole - midnight};
  UtcFields out;
  out.time.year = static_cast<int>(date.year());
  out.time.month = static_cast<int>(static_cast<unsigned>(date.month()));
  out.time.day = static_cast<int>(static_cast<unsigned>(date.day()));
  out.time.hour = static_cast<int>(hms.hours().count());
  out.time.minute = static_cast<int>(hms.minutes().count());
  out.time.second = static_cast<int>(hms.seconds().count());
  out.weekday = weekday(midnight).c_encoding();
  return out;
}

// `value` in decimal, zero-padded on the left to `width` digits.
std::string padded(int value, std::size_t width) {
  auto digits = std::to_string(value);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return digits;
}

}  // namespace

std::optional<core::SystemTime> parse_iso8601(std::string_view s) {
  std::size_t pos = 0;
  CivilTime t;
  if (!read_digits(s, pos, 4, t.year) || !expect(s, pos, '-') || !read_digits(s, pos, 2, t.month) ||
      !expect(s, pos, '-') || !read_digits(s, pos, 2, t.day)) {
    return std::nullopt;
  }
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) return std::nullopt;
  ++pos;
  if (!read_time_of_day(s, pos, t)) return std::nullopt;
  std::int64_t nanos = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    std::size_t digits = 0;
    while (pos < s.size() && is_digit(s[pos])) {
      if (digits < 9) nanos = nanos * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (std::size_t i = digits; i < 9; ++i) nanos *= 10;
  }
  std::int64_t offset = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      const int sign = s[pos] == '-' ? -1 : 1;
      ++pos;
      int oh = 0;
      int om = 0;
      if (!read_digits(s, pos, 2, oh)) return std::nullopt;
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (!read_digits(s, pos, 2, om) || oh > 23 || om > 59) return std::nullopt;
      offset = std::int64_t{sign} * (std::int64_t{oh} * 3600 + std::int64_t{om} * 60);
    } else {
      return std::nullopt;
    }
  }
  if (pos != s.size()) return std::nullopt;
  return make_time(t, nanos, offset);
}

std::optional<core::SystemTime> parse_http_date(std::string_view s) {
  const auto secs = parse_http_date_seconds(s);
  if (!secs) return std::nullopt;
  return to_system_time(*secs, 0);
}

std::optional<std::int64_t> parse_http_date_seconds(std::string_view s) {
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (fixed width, 29 characters).
  static constexpr std::array<std::string_view, 12> kMonths{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s.substr(3, 2) != ", " || s.substr(25) != " GMT") return std::nullopt;
  std::size_t pos = 5;
  CivilTime t;
  if (!read_digits(s, pos, 2, t.day) || !expect(s, pos, ' ')) return std::nullopt;
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (s.substr(pos, 3) == kMonths[i]) t.month = static_cast<int>(i) + 1;
  }
  if (t.month == 0) return std::nullopt;
  pos += 3;
  if (!expect(s, pos, ' ') || !read_digits(s, pos, 4, t.year) || !expect(s, pos, ' ') ||
      !read_time_of_day(s, pos, t)) {
    return std::nullopt;
  }
  return make_seconds(t, 0);
}

std::string format_http_date(core::SystemTime t) {
  static constexpr std::array<std::string_view, 7> kWeekdays{"Sun", "Mon", "Tue", "Wed",
                                                             "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> kMonths{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto c = utc_fields(t);
  std::string out;
  out.reserve(29);
  out += kWeekdays[c.weekday];
  out += ", " + padded(c.time.day, 2) + " ";
  out += kMonths[static_cast<std::size_t>(c.time.month - 1)];
  out += " " + std::to_string(c.time.year) + " ";
  out += padded(c.time.hour, 2) + ":" + padded(c.time.minute, 2) + ":" +
         padded(c.time.second, 2) + " GMT";
  return out;
}

std::string format_iso8601(core::SystemTime t) {
  const auto c = utc_fields(t).time;
  return padded(c.year, 4) + "-" + padded(c.month, 2) + "-" + padded(c.day, 2) + "T" +
         padded(c.hour, 2) + ":" + padded(c.minute, 2) + ":" + padded(c.second, 2) + "Z";
}

std::string format_iso8601_basic(core::SystemTime t) {
  const auto c = utc_fields(t).time;
  return padded(c.year, 4) + padded(c.month, 2) + padded(c.day, 2) + "T" + padded(c.hour, 2) +
         padded(c.minute, 2) + padded(c.second, 2) + "Z";
}

std::optional<core::SystemTime> parse_iso8601_basic(std::string_view s) {
  if (s.size() != 16) return std::nullopt;
  std::size_t pos = 0;
  CivilTime t;
  if (!read_digits(s, pos, 4, t.year) || !read_digits(s, pos, 2, t.month) ||
      !read_digits(s, pos, 2, t.day) || !expect(s, pos, 'T') || !read_digits(s, pos, 2, t.hour) ||
      !read_digits(s, pos, 2, t.minute) || !read_digits(s, pos, 2, t.second) ||
      !expect(s, pos, 'Z')) {
    return std::nullopt;
  }
  // A leap second would fold onto the next second and then print differently.
  if (t.second == 60) return std::nullopt;
  return make_time(t, 0, 0);
}

}  // namespace frankenetes::core
