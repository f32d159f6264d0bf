#pragma once
// SeriesFamily: a gauge or counter family with a series (or a few) per member — thousands of
// them at scale — kept compactly and written straight into the text exposition.
//
// Why not prometheus-cpp's Family: it keeps every series as a std::map of label strings in a
// hash table, hashes that map again on every update, and render() first copies every series
// into MetricFamily structures before serialising them through an ostream. At 4000 members
// (~60 000 series) that was ~100 MiB of peak memory and a third of the daemon's CPU. Here a
// series is one sorted map entry: its label set, already escaped and rendered
// (`cluster="prod",member="etcd"`), and its value; render() appends lines to one string.
//
// Label names are fixed per family and given in alphabetical order (the order prometheus-cpp
// writes, so a series reads the same whichever family type holds it); every call passes one
// value per name, in that order. Thread-safe.

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace frankenetes::status {

class SeriesFamily {
 public:
  enum class Type { kGauge, kCounter };
  using Values = std::initializer_list<std::string_view>;

  // `label_names` alphabetical (checked: std::invalid_argument otherwise).
  SeriesFamily(std::string name, std::string help, Type type, std::vector<std::string> label_names);
  SeriesFamily(const SeriesFamily&) = delete;
  SeriesFamily& operator=(const SeriesFamily&) = delete;

  // Sets the series (a gauge), creating it.
  void set(Values values, double value);
  // Adds `delta` (>= 0) to the series (a counter), creating it at 0 first: add(values, 0)
  // makes a series exist before anything is counted, so rate() sees a zero, not a gap.
  void add(Values values, double delta = 1);
  void remove(Values values);

  // The series' value, if it exists (tests, and callers that read back).
  std::optional<double> value(Values values) const;
  std::size_t size() const;

  // Appends `# HELP`, `# TYPE` and one line per series (in label order) to `out`.
  void render(std::string& out) const;

  const std::string& name() const { return name_; }

 private:
  std::string key(Values values) const;

  const std::string name_;
  const std::string help_;
  const Type type_;
  const std::vector<std::string> label_names_;
  mutable std::mutex mutex_;
  std::map<std::string, double, std::less<>> series_;
};

// A value as the text exposition writes it: the shortest decimal that reads back as the same
// double ("1", "0.25", "1767225600"), "NaN", "+Inf" or "-Inf".
void append_sample_value(std::string& out, double value);

// A label value with `\`, `"` and newlines escaped, as the text exposition demands.
void append_escaped_label_value(std::string& out, std::string_view value);

}  // namespace frankenetes::status
