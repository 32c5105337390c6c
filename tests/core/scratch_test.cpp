#include "dhcpsim/core/scratch.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace dhcpsim::core {
namespace {

TEST(ScratchPool, LoanComesBackClearedWithItsCapacity) {
  ScratchPool<int> pool;
  const int* storage = nullptr;
  {
    auto loan = pool.take();
    EXPECT_TRUE(loan->empty());
    for (int k = 0; k < 100; ++k) loan->push_back(k);
    storage = loan->data();
  }
  EXPECT_EQ(pool.shelved(), 1u);
  auto again = pool.take();
  EXPECT_TRUE(again->empty());                // cleared: nothing of the last call leaks in
  EXPECT_GE(again->capacity(), 100u);         // but the block is kept
  EXPECT_EQ(again->data(), storage);          // and it is the same block
  EXPECT_EQ(pool.shelved(), 0u);
}

TEST(ScratchPool, NestedLoansGetDistinctVectors) {
  ScratchPool<int> pool;
  auto outer = pool.take();
  outer->push_back(1);
  {
    // Handling an action of the outer call starts another engine call.
    auto inner = pool.take();
    EXPECT_NE(&*inner, &*outer);
    EXPECT_TRUE(inner->empty());
    inner->push_back(2);
  }
  ASSERT_EQ(outer->size(), 1u);
  EXPECT_EQ((*outer)[0], 1);  // the inner loan did not touch the outer one
}

TEST(ScratchPool, ElementsAreDestroyedWhenTheLoanEnds) {
  ScratchPool<std::shared_ptr<std::string>> pool;
  auto held = std::make_shared<std::string>("frame");
  {
    auto loan = pool.take();
    loan->push_back(held);
    EXPECT_EQ(held.use_count(), 2);
  }
  EXPECT_EQ(held.use_count(), 1);  // the shelf keeps capacity, not elements
}

TEST(ScratchPool, AFullShelfFreesInsteadOfGrowing) {
  ScratchPool<int> pool(2);
  {
    auto a = pool.take();
    auto b = pool.take();
    auto c = pool.take();
    a->push_back(1);
    b->push_back(2);
    c->push_back(3);
  }
  EXPECT_EQ(pool.shelved(), 2u);  // the third vector was freed: the destructor never allocates
}

}  // namespace
}  // namespace dhcpsim::core
