package dev.landlockagent.it.apps;

/** Runs {@code /bin/sh -c "cat FILE"} and prints what the child printed and its exit status. */
public final class ShellCat {
    private ShellCat() {
    }

    public static void main(String[] args) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", "cat " + args[0]).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        System.out.println("child said: " + out + "; exit " + p.waitFor());
    }
}
