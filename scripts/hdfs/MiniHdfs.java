// A single-node HDFS for development and tests, started by scripts/stack: Hadoop's
// MiniDFSCluster (one NameNode and one DataNode in this JVM) from the hadoop-client-minicluster
// jar, bound to 127.0.0.1, its data kept under the given folder across restarts.
//   java -cp 'LIB/*' MiniHdfs.java DATA_DIR RPC_PORT HTTP_PORT
// Prints "MiniHdfs ready" once the NameNode has left safe mode. Stops on SIGTERM.
import java.io.File;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

public class MiniHdfs {
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: MiniHdfs DATA_DIR RPC_PORT HTTP_PORT");
      System.exit(2);
    }
    File base = new File(args[0]).getAbsoluteFile();
    int rpcPort = Integer.parseInt(args[1]);
    int httpPort = Integer.parseInt(args[2]);
    // A fresh folder is formatted; an existing one is opened as it is (the files survive).
    boolean fresh = !new File(base, "name-0-1/current/VERSION").exists();

    Configuration conf = new HdfsConfiguration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getPath());
    conf.setBoolean("dfs.permissions.enabled", false);
    conf.setBoolean("dfs.webhdfs.enabled", true);
    conf.setInt("dfs.replication", 1);
    // Everything on loopback: the DataNode's ports are chosen by the system at each start and
    // reached through the NameNode's redirects, so they need no settings of their own.
    conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
    conf.set("dfs.namenode.http-bind-host", "127.0.0.1");
    conf.set("dfs.datanode.address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
    conf.set("dfs.datanode.hostname", "127.0.0.1");
    // One DataNode: leave safe mode as soon as it has reported, and never wait for replicas.
    conf.setInt("dfs.namenode.safemode.extension", 0);
    conf.setInt("dfs.namenode.safemode.min.datanodes", 1);

    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf)
        .nameNodePort(rpcPort)
        .nameNodeHttpPort(httpPort)
        .numDataNodes(1)
        .format(fresh)
        .manageNameDfsDirs(true)
        .manageDataDfsDirs(true)
        .waitSafeMode(true)
        .build();
    cluster.waitActive();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("MiniHdfs stopping");
      cluster.shutdown();
    }));
    System.out.println("MiniHdfs ready: hdfs://127.0.0.1:" + rpcPort + " webhdfs http://127.0.0.1:"
        + httpPort + (fresh ? " (formatted)" : " (existing data)"));
    System.out.flush();
    Thread.currentThread().join();
  }
}
