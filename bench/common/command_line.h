#pragma once
// The command lines of the C++ benchmarks: "--flag value" pairs, each flag with a setter that
// takes its value, and main()'s error handling. Shared so that every bench answers --help, an
// unknown flag, a missing value, a value that is not a number and a failed run the same way.

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>

namespace frankenetes::bench {

using FlagSetters = std::map<std::string, std::function<void(const std::string& value)>>;

// A bench's failure: main() prints it (bench_main below).
[[noreturn]] inline void fail(const std::string& message) { throw std::runtime_error(message); }

// The whole of `value` as a T (double, int, std::size_t, ...). Throws std::invalid_argument
// when it is not one: "", "12x", "inf", "nan" and a value out of T's range included.
template <class T>
T parse_number(const std::string& value) {
  T number{};
  const char* end = value.data() + value.size();
  const auto [stop, error] = std::from_chars(value.data(), end, number);
  bool finite = true;
  if constexpr (std::is_floating_point_v<T>) finite = std::isfinite(number);
  if (value.empty() || error != std::errc() || stop != end || !finite) {
    throw std::invalid_argument("not a number: " + value);
  }
  return number;
}

// Runs the setter of each "--flag value" pair, in order. "--help" or "-h" prints `usage` and
// exits with status 0. Throws std::runtime_error naming the flag when it is unknown, has no
// value, or its setter throws std::invalid_argument (as parse_number does).
inline void parse_flags(int argc, char** argv, const std::string& usage,
                        const FlagSetters& setters) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << "usage: " << usage << "\n";
      std::exit(0);
    }
    const auto setter = setters.find(flag);
    if (setter == setters.end())
      throw std::runtime_error("unknown option " + flag + " (see --help)");
    if (i + 1 >= argc) throw std::runtime_error(flag + " needs a value (see --help)");
    const std::string value = argv[++i];
    try {
      setter->second(value);
    } catch (const std::invalid_argument&) {
      throw std::runtime_error(flag + ": not a number (or out of range): " + value);
    }
  }
}

// main() of a bench: returns what `run` returns; an exception (a bad flag, a failed step) is
// printed as "<name>: error: <what>" on stderr and makes the exit status 2.
inline int bench_main(const char* name, int argc, char** argv, int (*run)(int, char**)) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", name, e.what());
    return 2;
  }
}

}  // namespace frankenetes::bench
