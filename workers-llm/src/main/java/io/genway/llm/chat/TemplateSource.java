package io.genway.llm.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A Jinja template rewritten so that Jinjava renders it as Jinja does with {@code trim_blocks} and
 * {@code lstrip_blocks} (the settings transformers renders chat templates with):
 * <ul>
 * <li>Whitespace: spaces and tabs before a {@code {% %}} or {@code {# #}} tag that starts its line are dropped,
 * and so is the first newline after such a tag ({@code {%+} and {@code +%}} keep them). Jinjava's own
 * lstripBlocks also strips before a tag in the middle of a line, which Jinja does not.</li>
 * <li>{@code not}: its operand is put in parentheses. In Jinja {@code not} binds more loosely than comparisons,
 * tests and filters ({@code not 'system' in role} is {@code not ('system' in role)}); Jinjava binds it to the
 * first operand, and its opt-in "natural" precedence breaks {@code not x is defined} instead. The operand runs to
 * the next {@code and}, {@code or}, {@code if}, {@code else}, comma or closing bracket at its own depth.</li>
 * </ul>
 */
final class TemplateSource {
    private static final Set<String> BOUNDARIES = Set.of("and", "or", "if", "else", ",", ")", "]", "}");

    private TemplateSource() {
    }

    static String prepare(String template) {
        StringBuilder out = new StringBuilder(template.length() + 16);
        int i = 0;
        while (i < template.length()) {
            int open = nextBlock(template, i);
            if (open < 0) {
                out.append(template, i, template.length());
                break;
            }
            out.append(template, i, open);
            char kind = template.charAt(open + 1);
            boolean tag = kind == '%' || kind == '#';
            String close = switch (kind) {
                case '{' -> "}}";
                case '%' -> "%}";
                default -> "#}";
            };
            int end = kind == '#' ? template.indexOf(close, open + 2) : closing(template, open + 2, close);
            if (end < 0) { // unterminated: let Jinjava report it
                out.append(template, open, template.length());
                break;
            }
            String body = template.substring(open + 2, end);
            boolean keepBefore = body.startsWith("+");
            boolean keepAfter = body.endsWith("+");
            if (tag && !keepBefore) stripIndent(template, open, out);
            if (keepBefore) body = body.substring(1);
            if (keepAfter) body = body.substring(0, body.length() - 1);
            out.append('{').append(kind).append(kind == '#' ? body : rewrite(body)).append(close);
            i = end + 2;
            if (tag && !keepAfter) {
                if (template.startsWith("\r\n", i)) i += 2;
                else if (template.startsWith("\n", i)) i += 1;
            }
        }
        return out.toString();
    }

    /**
     * Drops the spaces and tabs before the tag at {@code open} when only they stand between the start of its line
     * in the source and the tag (Jinja judges by the source, even where trim_blocks took the newline away).
     */
    private static void stripIndent(String template, int open, StringBuilder out) {
        int k = open;
        while (k > 0 && (template.charAt(k - 1) == ' ' || template.charAt(k - 1) == '\t')) k--;
        if (k == 0 || template.charAt(k - 1) == '\n') out.setLength(out.length() - (open - k));
    }

    private static int nextBlock(String s, int from) {
        for (int i = s.indexOf('{', from); i >= 0 && i + 1 < s.length(); i = s.indexOf('{', i + 1)) {
            char c = s.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') return i;
        }
        return -1;
    }

    /** The index of {@code close} that ends the block, skipping string literals. */
    private static int closing(String s, int from, String close) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') i = endOfString(s, i) - 1;
            else if (s.startsWith(close, i)) return i;
        }
        return -1;
    }

    private static int endOfString(String s, int start) {
        char quote = s.charAt(start);
        for (int i = start + 1; i < s.length(); i++) {
            if (s.charAt(i) == '\\') i++;
            else if (s.charAt(i) == quote) return i + 1;
        }
        return s.length();
    }

    private static String rewrite(String body) {
        // whitespace control ({%- ... -%}) is no part of the expression
        int from = !body.isEmpty() && (body.charAt(0) == '-' || body.charAt(0) == '+') ? 1 : 0;
        int to = body.length() > from && (body.endsWith("-") || body.endsWith("+")) ? body.length() - 1 : body.length();
        List<String> tokens = tokens(body.substring(from, to));
        if (!tokens.contains("not")) return body;
        List<String> out = new ArrayList<>(tokens.size() + 8);
        rewrite(tokens, 0, tokens.size(), out);
        return body.substring(0, from) + String.join("", out) + body.substring(to);
    }

    /** Appends tokens [from, to) to {@code out}, each unary not's operand in parentheses. */
    private static void rewrite(List<String> t, int from, int to, List<String> out) {
        int i = from;
        while (i < to) {
            String token = t.get(i);
            if (token.equals("not") && isUnaryNot(t, i)) {
                int end = operandEnd(t, i + 1, to);
                out.add(token);
                int first = i + 1;
                while (first < end && t.get(first).isBlank()) out.add(t.get(first++));
                out.add("(");
                rewrite(t, first, end, out);
                out.add(")");
                i = end;
                continue;
            }
            out.add(token);
            i++;
        }
    }

    /** A not that negates, rather than the second word of {@code not in} or {@code is not}. */
    private static boolean isUnaryNot(List<String> t, int at) {
        String next = neighbour(t, at, +1);
        String previous = neighbour(t, at, -1);
        return !"in".equals(next) && !"is".equals(previous);
    }

    private static String neighbour(List<String> t, int at, int step) {
        for (int i = at + step; i >= 0 && i < t.size(); i += step) if (!t.get(i).isBlank()) return t.get(i);
        return null;
    }

    /** Where the operand starting at {@code from} ends: after its last token before a boundary at depth 0. */
    private static int operandEnd(List<String> t, int from, int to) {
        int depth = 0;
        int lastNonBlank = from;
        for (int i = from; i < to; i++) {
            String token = t.get(i);
            if (token.isBlank()) continue;
            if (depth == 0 && BOUNDARIES.contains(token)) return lastNonBlank;
            if (token.equals("(") || token.equals("[") || token.equals("{")) depth++;
            if (token.equals(")") || token.equals("]") || token.equals("}")) depth--;
            lastNonBlank = i + 1;
        }
        return lastNonBlank;
    }

    /** Whitespace runs, string literals, names and numbers, and single punctuation characters (two for ==, != ...). */
    private static List<String> tokens(String s) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int j = i + 1;
            if (Character.isWhitespace(c)) {
                while (j < s.length() && Character.isWhitespace(s.charAt(j))) j++;
            } else if (c == '\'' || c == '"') {
                j = endOfString(s, i);
            } else if (Character.isLetterOrDigit(c) || c == '_') {
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) j++;
            } else if (j < s.length() && "=!<>".indexOf(c) >= 0 && s.charAt(j) == '=') {
                j++;
            }
            tokens.add(s.substring(i, j));
            i = j;
        }
        return tokens;
    }
}
