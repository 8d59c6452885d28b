package io.genway.llm.llama;

import java.util.List;

/**
 * Finds stop sequences in streamed text. Text that might be the start of a stop sequence is held back until the
 * next piece shows whether it is, so a client never sees any part of a stop sequence. One per stream.
 */
final class StopScanner {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopScanner(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** The text now safe to emit; after a stop sequence, the text before it and {@link #stopped()} turns true. */
    String accept(String piece) {
        if (stopped) return "";
        held.append(piece);
        int first = -1;
        for (String stop : stops) {
            int at = held.indexOf(stop);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        if (first >= 0) {
            stopped = true;
            String before = held.substring(0, first);
            held.setLength(0);
            return before;
        }
        int safe = held.length() - longestStopPrefixSuffix();
        if (safe > 0 && Character.isHighSurrogate(held.charAt(safe - 1))) safe--; // never split a surrogate pair
        String out = held.substring(0, safe);
        held.delete(0, safe);
        return out;
    }

    /** Whatever is held at the end of the stream: it turned out not to be a stop sequence. */
    String finish() {
        String rest = held.toString();
        held.setLength(0);
        return rest;
    }

    boolean stopped() {
        return stopped;
    }

    private int longestStopPrefixSuffix() {
        int longest = 0;
        String text = held.toString();
        for (String stop : stops) {
            for (int n = Math.min(stop.length() - 1, held.length()); n > longest; n--) {
                if (text.regionMatches(text.length() - n, stop, 0, n)) {
                    longest = n;
                    break;
                }
            }
        }
        return longest;
    }
}
