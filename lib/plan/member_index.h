#pragma once
// index_by_member / find_in: look up the items of a member-keyed plan list (PlanResult's
// members, skips, actions; DnsPlanResult's members, changes, skips) by member.

#include <algorithm>
#include <vector>

#include "model/observation.h"

namespace frankenetes::plan {

// An index of a member-keyed list, for a caller that looks up every member of a pass:
// find_member() and the like search linearly, which made such a pass quadratic (at 4000
// members, the largest CPU cost after the status copies). A sorted vector of pointers: one
// allocation, no copies of the keys (a map of MemberKey copied two strings per item). The
// list must outlive the index; the first item of a member wins, as in find_*.
template <typename T>
class MemberIndex {
 public:
  explicit MemberIndex(const std::vector<T>& items) {
    entries_.reserve(items.size());
    for (const auto& item : items) entries_.push_back(&item);
    std::stable_sort(entries_.begin(), entries_.end(),
                     [](const T* l, const T* r) { return l->member < r->member; });
  }

  // The first item of `key`, or null.
  const T* find(const model::MemberKey& key) const {
    const auto it = std::lower_bound(
        entries_.begin(), entries_.end(), key,
        [](const T* entry, const model::MemberKey& k) { return entry->member < k; });
    return it != entries_.end() && (*it)->member == key ? *it : nullptr;
  }

 private:
  std::vector<const T*> entries_;
};

template <typename T>
MemberIndex<T> index_by_member(const std::vector<T>& items) {
  return MemberIndex<T>(items);
}

// The indexed item of `key`, or null.
template <typename T>
const T* find_in(const MemberIndex<T>& index, const model::MemberKey& key) {
  return index.find(key);
}

}  // namespace frankenetes::plan
