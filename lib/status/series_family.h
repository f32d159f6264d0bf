#pragma once
// SeriesFamily: a gauge or counter family with a series (or a few) per member — thousands of
// them at scale — kept compactly and written straight into the text exposition.
//
// Why not prometheus-cpp's Family: it keeps every series as a std::map of label strings in a
// hash table, hashes that map again on every update, and render() first copies every series
// into MetricFamily structures before serialising them through an ostream. At 4000 members
// (~60 000 series) that was ~100 MiB of peak memory and a third of the daemon's CPU. Here a
// series is its label set, already escaped and rendered (`cluster="prod",member="etcd"`), and
// its value; render() appends lines to one string. The label sets lie end to end in one string
// and the series are a sorted vector of (where its label set is, value): 16 bytes a series plus
// its label text, where a std::map<std::string, double> node took ~150 (at 4000 members that
// was 9 MB of the daemon's heap).
//
// Label names are fixed per family and given in alphabetical order (the order prometheus-cpp
// writes, so a series reads the same whichever family type holds it); every call passes one
// value per name, in that order. Thread-safe.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
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
  struct Series {
    std::uint32_t offset;  // of its label set in labels_
    std::uint32_t size;
    double value;
  };

  // The label set of `values`, rendered into a buffer of the calling thread's (no allocation
  // per update once it has grown).
  std::string_view key(Values values) const;
  std::string_view labels_of(const Series& series) const {
    return std::string_view(labels_).substr(series.offset, series.size);
  }
  // The index of the series with label set `key`, or where it would go. Under the mutex.
  std::size_t position(std::string_view key) const;
  bool holds(std::size_t position, std::string_view key) const {
    return position < series_.size() && labels_of(series_[position]) == key;
  }
  // Under the mutex: the series with this label set, created at `initial` when missing.
  Series& get_or_create(std::string_view key, double initial);
  // Drops the text of removed series once it is most of labels_. Under the mutex.
  void compact_if_worth_it();

  const std::string name_;
  const std::string help_;
  const Type type_;
  const std::vector<std::string> label_names_;
  mutable std::mutex mutex_;
  std::string labels_;             // every series' label set, end to end
  std::vector<Series> series_;     // sorted by label set
  std::size_t removed_bytes_ = 0;  // of labels_, no longer any series'
};

// A value as the text exposition writes it: the shortest decimal that reads back as the same
// double ("1", "0.25", "1767225600"), "NaN", "+Inf" or "-Inf".
void append_sample_value(std::string& out, double value);

// A label value with `\`, `"` and newlines escaped, as the text exposition demands.
void append_escaped_label_value(std::string& out, std::string_view value);

}  // namespace frankenetes::status
