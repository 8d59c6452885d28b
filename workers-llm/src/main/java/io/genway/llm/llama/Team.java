package io.genway.llm.llama;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads that runs one data-parallel section at a time: {@link #run} hands out item indices one
 * by one (so a member slowed by another process simply takes fewer) and returns when all are done. The calling
 * thread is member 0. Idle members spin briefly, then park, so that back-to-back sections (a decode step has
 * several per layer) do not pay a wake-up each. Sections are serialized: engines sharing a team take turns.
 */
final class Team {
    /** Gives each item to exactly one member; {@code member} indexes per-member scratch. */
    @FunctionalInterface
    interface Body {
        void run(int member, int item);
    }

    private static final int SPINS = 20_000;

    /** One member per available processor. */
    static final Team SHARED = new Team(Runtime.getRuntime().availableProcessors());

    private final int size;
    private final Thread[] helpers;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private volatile Body body;
    private volatile int count;
    private volatile long generation;
    private volatile Throwable failure;

    Team(int size) {
        if (size < 1) throw new IllegalArgumentException("a team needs at least one member, was " + size);
        this.size = size;
        this.helpers = new Thread[size - 1];
        for (int i = 0; i < helpers.length; i++) {
            int member = i + 1;
            helpers[i] = Thread.ofPlatform().name("llama-team-" + member).daemon().start(() -> helperLoop(member));
        }
    }

    int size() {
        return size;
    }

    /** Runs {@code body} for items [0, count), spread over the team when {@code parallel}, else on the caller. */
    synchronized void run(int count, boolean parallel, Body body) {
        if (!parallel || size == 1 || count < 2) {
            for (int i = 0; i < count; i++) body.run(0, i);
            return;
        }
        this.body = body;
        this.count = count;
        this.failure = null;
        next.set(0);
        running.set(helpers.length);
        generation++; // publishes body and count
        for (Thread t : helpers) LockSupport.unpark(t);
        try {
            work(0);
        } finally {
            for (int spins = 0; running.get() > 0; spins++) {
                if (spins < SPINS) Thread.onSpinWait();
                else Thread.yield();
            }
            this.body = null;
        }
        Throwable f = failure;
        if (f instanceof RuntimeException e) throw e;
        if (f instanceof Error e) throw e;
    }

    private void work(int member) {
        Body b = body;
        int n = count;
        for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) b.run(member, i);
    }

    private void helperLoop(int member) {
        long seen = 0;
        while (true) {
            for (int spins = 0; generation == seen && spins < SPINS; spins++) Thread.onSpinWait();
            while (generation == seen) LockSupport.park(this);
            seen = generation;
            try {
                work(member);
            } catch (Throwable t) {
                failure = t;
                next.set(Integer.MAX_VALUE / 2); // the others stop taking items
            } finally {
                running.decrementAndGet();
            }
        }
    }
}
