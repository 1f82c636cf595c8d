import KmonExport
import Testing

@Suite struct BoundedQueueTests {
    @Test func overflowDropsNewItemsAndCountsThem() {
        let queue = BoundedQueue<Int>(capacity: 3)
        #expect(queue.append(contentsOf: 1...5) == 3)
        #expect(queue.bufferedCount == 3)
        #expect(queue.droppedCount == 2)
        #expect(queue.append(6) == false)
        #expect(queue.droppedCount == 3)
        #expect(queue.peek(max: 10, waitingUpTo: 0) == [1, 2, 3])
    }

    @Test func peekLeavesItemsUntilDeliveredAndOrderSurvivesWrapping() {
        let queue = BoundedQueue<Int>(capacity: 4)
        queue.append(contentsOf: [1, 2, 3])
        #expect(queue.peek(max: 2, waitingUpTo: 0) == [1, 2])
        #expect(queue.peek(max: 2, waitingUpTo: 0) == [1, 2])
        queue.removeFirst(2)
        queue.append(contentsOf: [4, 5, 6])
        #expect(queue.peek(max: 10, waitingUpTo: 0) == [3, 4, 5, 6])
        #expect(queue.deliveredCount == 2)
        #expect(queue.droppedCount == 0)
    }

    @Test func everyItemIsDeliveredDroppedOrLeftBuffered() {
        let queue = BoundedQueue<Int>(capacity: 10)
        var offered = 0
        for round in 0..<20 {
            offered += 7
            queue.append(contentsOf: 0..<7)
            let batch = queue.peek(max: 4, waitingUpTo: 0)
            queue.removeFirst(batch.count, as: round % 5 == 0 ? .dropped : .delivered)
        }
        #expect(UInt64(offered) == queue.deliveredCount + queue.droppedCount + UInt64(queue.bufferedCount))
    }

    /// A large bound costs memory only while items are buffered: 219 MB at 1M ClickHouse spans
    /// were reserved at start before.
    @Test func storageGrowsOnDemandUpToTheBoundAndShrinksWhenEmptied() {
        let queue = BoundedQueue<Int>(capacity: 10_000_000, initialStorage: 4)
        #expect(queue.allocatedCount == 4)
        queue.append(contentsOf: 0..<5)
        #expect(queue.allocatedCount == 8)
        queue.removeFirst(3)
        queue.append(contentsOf: 5..<12) // wraps around the ring, then grows past it in order
        #expect(queue.allocatedCount == 16)
        #expect(queue.peek(max: 100, waitingUpTo: 0) == Array(3..<12))
        queue.removeFirst(9)
        #expect(queue.allocatedCount == 4)
        #expect(queue.deliveredCount == 12 && queue.droppedCount == 0)
    }

    @Test func growthStopsAtTheBoundAndOverflowIsDroppedAndCounted() {
        let queue = BoundedQueue<Int>(capacity: 5, initialStorage: 2)
        #expect(queue.append(contentsOf: 0..<8) == 5)
        #expect(queue.allocatedCount == 5)
        #expect(queue.droppedCount == 3)
        #expect(queue.peek(max: 10, waitingUpTo: 0) == [0, 1, 2, 3, 4])
    }

    @Test func peekWaitsForTheFirstItemThenTimesOut() {
        let queue = BoundedQueue<Int>(capacity: 1)
        let start = ContinuousClock.now
        #expect(queue.peek(max: 1, waitingUpTo: 0.05).isEmpty)
        #expect(ContinuousClock.now - start >= .milliseconds(45))
        queue.close()
        #expect(queue.peek(max: 1, waitingUpTo: 10).isEmpty)
    }
}
