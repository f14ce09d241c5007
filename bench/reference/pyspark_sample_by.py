"""The seed's sampling step under PySpark: read the month's CSV with a header, keep each
event_type with probability 0.000148 (DataFrame.sampleBy, seed 10), write the result.
Usage: python pyspark_sample_by.py INPUT.csv OUTPUT_DIR  (prints rows_out=N)"""
import sys

from pyspark.sql import SparkSession

FRACTION = 0.000148

if __name__ == "__main__":
    source, target = sys.argv[1], sys.argv[2]
    spark = SparkSession.builder.appName("seed sampleBy").master("local[*]").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    df = spark.read.csv(source, header=True)
    sample = df.sampleBy("event_type", fractions={"view": FRACTION, "cart": FRACTION, "purchase": FRACTION},
                         seed=10)
    sample.coalesce(1).write.mode("overwrite").csv(target, header=True)
    print(f"rows_out={spark.read.csv(target, header=True).count()}")
    spark.stop()
