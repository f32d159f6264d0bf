#include "status/series_family.h"

#include <algorithm>
#include <charconv>
#include <cmath>
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

std::string SeriesFamily::key(Values values) const {
  if (values.size() != label_names_.size()) {
    throw std::invalid_argument(name_ + ": expected " + std::to_string(label_names_.size()) +
                                " label values, got " + std::to_string(values.size()));
  }
  std::string out;
  out.reserve(16 * label_names_.size() + 32);
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

void SeriesFamily::set(Values values, double value) {
  auto k = key(values);
  std::lock_guard lock(mutex_);
  series_.insert_or_assign(std::move(k), value);
}

void SeriesFamily::add(Values values, double delta) {
  auto k = key(values);
  std::lock_guard lock(mutex_);
  // Counters only go up (prometheus-cpp ignores a negative increment the same way).
  series_.try_emplace(std::move(k), 0.0).first->second += std::max(delta, 0.0);
}

void SeriesFamily::remove(Values values) {
  const auto k = key(values);
  std::lock_guard lock(mutex_);
  if (const auto it = series_.find(k); it != series_.end()) series_.erase(it);
}

std::optional<double> SeriesFamily::value(Values values) const {
  const auto k = key(values);
  std::lock_guard lock(mutex_);
  const auto it = series_.find(k);
  if (it == series_.end()) return std::nullopt;
  return it->second;
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
  for (const auto& [labels, value] : series_) {
    out += name_;
    if (!labels.empty()) {
      out += '{';
      out += labels;
      out += '}';
    }
    out += ' ';
    append_sample_value(out, value);
    out += '\n';
  }
}

}  // namespace frankenetes::status
