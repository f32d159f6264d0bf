#include "status/series_family.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace frankenetes::status {

void append_sample_value(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buffer[32];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, error == std::errc() ? end : buffer);
  }
}

void append_escaped_label_value(std::string& out, std::string_view value) {
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

namespace {

void append_help(std::string& out, std::string_view help) {
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

}  // namespace

SeriesFamily::SeriesFamily(std::string name, std::string help, Type type,
                           std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)) {
  if (!std::is_sorted(label_names_.begin(), label_names_.end())) {
    throw std::invalid_argument(name_ + ": label names must be in alphabetical order");
  }
}

std::string_view SeriesFamily::key(Values values) const {
  if (values.size() != label_names_.size()) {
    throw std::invalid_argument(name_ + ": expected " + std::to_string(label_names_.size()) +
                                " label values, got " + std::to_string(values.size()));
  }
  thread_local std::string out;
  out.clear();
  auto name = label_names_.begin();
  for (const auto value : values) {
    if (!out.empty()) out += ',';
    out += *name++;
    out += "=\"";
    append_escaped_label_value(out, value);
    out += '"';
  }
  return out;
}

std::size_t SeriesFamily::position(std::string_view key) const {
  const auto it = std::lower_bound(
      series_.begin(), series_.end(), key,
      [this](const Series& series, std::string_view k) { return labels_of(series) < k; });
  return static_cast<std::size_t>(it - series_.begin());
}

SeriesFamily::Series& SeriesFamily::get_or_create(std::string_view key, double initial) {
  const auto at = position(key);
  if (holds(at, key)) return series_[at];
  if (labels_.size() + key.size() > UINT32_MAX) {
    throw std::length_error(name_ + ": more label text than a series family holds");
  }
  const Series series{static_cast<std::uint32_t>(labels_.size()),
                      static_cast<std::uint32_t>(key.size()), initial};
  labels_.append(key);
  return *series_.insert(series_.begin() + static_cast<std::ptrdiff_t>(at), series);
}

void SeriesFamily::compact_if_worth_it() {
  if (removed_bytes_ < 4096 || removed_bytes_ < labels_.size() / 2) return;
  std::string kept;
  kept.reserve(labels_.size() - removed_bytes_);
  for (auto& series : series_) {
    const auto text = labels_of(series);
    series.offset = static_cast<std::uint32_t>(kept.size());
    kept.append(text);
  }
  labels_ = std::move(kept);
  removed_bytes_ = 0;
}

void SeriesFamily::set(Values values, double value) {
  const auto k = key(values);
  std::lock_guard lock(mutex_);
  get_or_create(k, value).value = value;
}

void SeriesFamily::add(Values values, double delta) {
  const auto k = key(values);
  std::lock_guard lock(mutex_);
  // Counters only go up (prometheus-cpp ignores a negative increment the same way).
  get_or_create(k, 0.0).value += std::max(delta, 0.0);
}

void SeriesFamily::remove(Values values) {
  const auto k = key(values);
  std::lock_guard lock(mutex_);
  const auto at = position(k);
  if (!holds(at, k)) return;
  removed_bytes_ += series_[at].size;
  series_.erase(series_.begin() + static_cast<std::ptrdiff_t>(at));
  compact_if_worth_it();
}

std::optional<double> SeriesFamily::value(Values values) const {
  const auto k = key(values);
  std::lock_guard lock(mutex_);
  const auto at = position(k);
  if (!holds(at, k)) return std::nullopt;
  return series_[at].value;
}

std::size_t SeriesFamily::size() const {
  std::lock_guard lock(mutex_);
  return series_.size();
}

void SeriesFamily::render(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  append_help(out, help_);
  out += "\n# TYPE ";
  out += name_;
  out += type_ == Type::kGauge ? " gauge\n" : " counter\n";
  std::lock_guard lock(mutex_);
  for (const auto& series : series_) {
    out += name_;
    if (series.size != 0) {
      out += '{';
      out += labels_of(series);
      out += '}';
    }
    out += ' ';
    append_sample_value(out, series.value);
    out += '\n';
  }
}

}  // namespace frankenetes::status
