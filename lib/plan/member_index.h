#pragma once
// index_by_member / find_in: look up the items of a member-keyed plan list (PlanResult's
// members, skips, actions; DnsPlanResult's members, changes, skips) by member.

#include <map>
#include <vector>

#include "model/observation.h"

namespace frankenetes::plan {

// An index of a member-keyed list (PlanResult's members, skips, actions; DnsPlanResult's), for
// a caller that looks up every member of a pass: find_member() and the like search linearly,
// which made such a pass quadratic (at 4000 members, the largest CPU cost after the status
// copies). The list must outlive the index; the first item of a member wins, as in find_*.
template <typename T>
std::map<model::MemberKey, const T*> index_by_member(const std::vector<T>& items) {
  std::map<model::MemberKey, const T*> index;
  for (const auto& item : items) index.try_emplace(item.member, &item);
  return index;
}

// The indexed item of `key`, or null.
template <typename T>
const T* find_in(const std::map<model::MemberKey, const T*>& index, const model::MemberKey& key) {
  const auto it = index.find(key);
  return it == index.end() ? nullptr : it->second;
}

}  // namespace frankenetes::plan
