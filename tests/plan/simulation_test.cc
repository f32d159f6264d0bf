#include "plan/plan_test_util.h"
