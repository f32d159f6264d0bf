#pragma once
// Tests change a reading after making it. In the daemon a group view is shared and never
// changed once read (model/observation.h), so a test edits a copy of its own, which then
// replaces the observation's view.
#include <memory>

#include "model/observation.h"

namespace frankenetes::testing {

inline model::ContainerGroupView& edit_view(model::GroupObservation& g) {
  auto copy = g.view ? std::make_shared<model::ContainerGroupView>(*g.view)
                     : std::make_shared<model::ContainerGroupView>();
  g.view = copy;
  return *copy;
}

}  // namespace frankenetes::testing
