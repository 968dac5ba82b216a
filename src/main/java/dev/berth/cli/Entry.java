package dev.berth.cli;

/**
 * The jar's entry point (its manifest's Main-Class). {@code --version} is answered from the jar's manifest
 * ({@code Implementation-Version}, which the build sets from the same project version as
 * {@code version.properties}) before {@link Main} is loaded: Main's static model of the steps, the classes its
 * verification loads and a resource read through a jar URL cost about 40-100 ms of a 200-300 ms
 * {@code berth --version} on this machine. Everything else goes to {@link Main#main}, which prints the same line.
 */
public final class Entry {
  private Entry() {}

  public static void main(String[] args) {
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      String v = Entry.class.getPackage().getImplementationVersion();
      if (v != null) {
        System.out.println("berth " + v);
        System.exit(0);
      }
    }
    Main.main(args);
  }
}
