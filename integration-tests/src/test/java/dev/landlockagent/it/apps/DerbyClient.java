package dev.landlockagent.it.apps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** A JDBC client of a Derby network server that is starting: it waits for it, then runs a little SQL. */
public final class DerbyClient {
    private DerbyClient() {
    }

    /** Connects to {@code db} (creating it), retrying until the server answers or 90 s have passed. */
    public static Connection connect(int port, String db) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (true) {
            try {
                return DriverManager.getConnection("jdbc:derby://127.0.0.1:" + port + "/" + db + ";create=true");
            } catch (SQLException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(200);
            }
        }
    }

    /** Creates a table, inserts a row and reads it back: the name it read. */
    public static String roundTrip(Connection c) throws SQLException {
        try (Connection open = c; Statement st = open.createStatement()) {
            st.execute("create table item(name varchar(20))");
            st.execute("insert into item values ('landlock')");
            try (ResultSet rs = st.executeQuery("select name from item")) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
