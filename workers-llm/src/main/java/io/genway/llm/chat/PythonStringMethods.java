package io.genway.llm.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python's {@code str} methods that chat templates call ({@code content.strip()}, {@code role.title()},
 * {@code text.startswith('<')}, ...), which Jinjava would otherwise look up as Java methods. Only invocations on
 * strings are resolved here; everything else falls through to Jinjava's resolvers.
 */
final class PythonStringMethods extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || method == null) return null;
        Object[] args = params == null ? new Object[0] : params;
        Object value = call(s, method.toString(), args);
        if (value == NOT_A_METHOD) return null;
        context.setPropertyResolved(true);
        return value;
    }

    private static final Object NOT_A_METHOD = new Object();

    private static Object call(String s, String name, Object[] args) {
        return switch (name) {
            case "strip" -> strip(s, chars(args), true, true);
            case "lstrip" -> strip(s, chars(args), true, false);
            case "rstrip" -> strip(s, chars(args), false, true);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "startswith" -> anyOf(args, s::startsWith);
            case "endswith" -> anyOf(args, s::endsWith);
            case "split" -> split(s, args);
            case "replace" -> args.length >= 2 ? s.replace(String.valueOf(args[0]), String.valueOf(args[1])) : NOT_A_METHOD;
            case "find" -> args.length >= 1 ? s.indexOf(String.valueOf(args[0])) : NOT_A_METHOD;
            case "count" -> args.length >= 1 ? count(s, String.valueOf(args[0])) : NOT_A_METHOD;
            case "join" -> args.length == 1 && args[0] instanceof Iterable<?> items ? join(s, items) : NOT_A_METHOD;
            case "isspace" -> !s.isEmpty() && s.chars().allMatch(PythonStringMethods::isSpace);
            case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            default -> NOT_A_METHOD;
        };
    }

    private static String chars(Object[] args) {
        return args.length == 0 || args[0] == null ? null : String.valueOf(args[0]);
    }

    /** Python's {@code str.isspace} per character: Unicode whitespace and separators. */
    private static boolean isSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x1C || c == 0x1D || c == 0x1E || c == 0x1F || c == 0x85;
    }

    private static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        while (left && start < end && strippable(s.charAt(start), chars)) start++;
        while (right && end > start && strippable(s.charAt(end - 1), chars)) end--;
        return s.substring(start, end);
    }

    private static boolean strippable(char c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
            previousCased = Character.isLetter(c);
        }
        return out.toString();
    }

    private static Object anyOf(Object[] args, java.util.function.Predicate<String> test) {
        if (args.length == 0) return NOT_A_METHOD;
        if (args[0] instanceof Iterable<?> options) { // startswith(('a', 'b'))
            for (Object o : options) if (test.test(String.valueOf(o))) return true;
            return false;
        }
        return test.test(String.valueOf(args[0]));
    }

    private static List<String> split(String s, Object[] args) {
        String separator = args.length == 0 || args[0] == null ? null : String.valueOf(args[0]);
        int max = args.length > 1 && args[1] instanceof Number n ? n.intValue() : -1;
        List<String> parts = new ArrayList<>();
        if (separator == null) { // runs of whitespace, none empty
            for (String p : s.strip().split("\\s+", max < 0 ? 0 : max + 1)) if (!p.isEmpty()) parts.add(p);
            return parts;
        }
        int from = 0;
        for (int at = s.indexOf(separator); at >= 0 && (max < 0 || parts.size() < max); at = s.indexOf(separator, from)) {
            parts.add(s.substring(from, at));
            from = at + separator.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    private static int count(String s, String sub) {
        if (sub.isEmpty()) return s.length() + 1;
        int n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) n++;
        return n;
    }

    private static String join(String separator, Iterable<?> items) {
        List<String> parts = new ArrayList<>();
        for (Object o : items) parts.add(String.valueOf(o));
        return String.join(separator, parts);
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
    }
}
